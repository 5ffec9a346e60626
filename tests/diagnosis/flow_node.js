// Runs flow.js (the path given, else static/js/flow.js) in Node for tests/diagnosis/test_pack.py:
// reads {pack, token, cases} (each case a query string) on stdin, prints each case's step as
// flow.js renders it.
"use strict";
const path = require("path");
const flow = require(process.argv[2] || path.join(__dirname, "..", "..", "static", "js", "flow.js"));

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { pack, token, cases } = JSON.parse(input);
  const out = cases.map((search) => {
    const screen = flow.screen(pack, flow.parse(search, ""));
    return { kind: screen.kind, title: flow.title(pack, screen), html: flow.render(pack, screen, token) };
  });
  process.stdout.write(JSON.stringify(out));
});
