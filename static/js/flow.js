// The guided flow worked out in the browser, for the service worker when the network is off.
//
// A mirror of diagnosis/ranking.py and diagnosis/flow.py over the flow pack
// (/diagnose/pack.json, built by diagnosis/pack.py), and of the step's templates
// (templates/diagnosis/diagnose.html and _flow_*.html). tests/diagnosis/test_pack.py runs this
// file in Node over many answer sets and compares every screen with the site's own.
//
// Loaded by sw.js with importScripts; in Node, required as a module.
(function (root) {
  "use strict";

  const SERVICE = "service";
  const SINGLE = "single";
  const MULTIPLE = "multiple";
  const SLUG = /^[a-z0-9][a-z0-9_-]{0,59}$/;
  const REMEDY_ID = /^[0-9]{1,9}$/;

  // --- The pack, indexed ----------------------------------------------------------------------

  function index(pack) {
    if (pack._index) return pack._index;
    const options = new Map();
    const questions = new Map();
    for (const q of pack.questions) {
      questions.set(q.slug, q);
      for (const o of q.options) {
        o.question = q.slug;
        options.set(o.slug, o);
      }
    }
    const causes = new Map(pack.causes.map((c) => [c.slug, c]));
    const remedies = new Map();
    for (const c of pack.causes) for (const r of c.remedies) remedies.set(r.id, Object.assign(r, { cause: c.slug }));
    const serviceQuestion = pack.questions.find((q) => q.kind === SERVICE) || null;
    const found = { options, questions, causes, remedies, serviceQuestion };
    Object.defineProperty(pack, "_index", { value: found, enumerable: false });
    return found;
  }

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, (all, name) => (name in values ? String(values[name]) : all));
  }

  // --- The query (diagnosis.forms.FlowQueryForm, flow.FlowQuery) -----------------------------

  function one(params, name, pattern) {
    const values = [...new Set(params.getAll(name).map((v) => v.trim()).filter(Boolean))];
    if (values.length !== 1) return null;
    return pattern && !pattern.test(values[0]) ? null : values[0];
  }

  function list(params, name, pattern) {
    const values = params.getAll(name).map((v) => v.trim()).filter(Boolean);
    return [...new Set(values.filter((v) => pattern.test(v)))];
  }

  function parse(search, flowId) {
    const params = new URLSearchParams(search);
    const f = params.getAll("f").pop() || "";
    const resolved = one(params, "resolved", REMEDY_ID);
    return {
      flowId: f || flowId || "",
      service: one(params, "service", SLUG),
      answers: list(params, "a", SLUG).slice(0, 40),
      asked: one(params, "q", SLUG),
      change: one(params, "change", SLUG),
      tried: [...new Set(list(params, "tried", REMEDY_ID).map(Number))],
      resolved: resolved === null ? null : Number(resolved),
      escalate: ["1", "true", "yes"].includes(one(params, "escalate")),
    };
  }

  function params(query, changes) {
    const state = Object.assign({}, query, changes || {});
    const pairs = [["f", state.flowId]];
    if (state.service) pairs.push(["service", state.service]);
    for (const a of state.answers) pairs.push(["a", a]);
    for (const t of state.tried) pairs.push(["tried", String(t)]);
    if (state.resolved !== null && state.resolved !== undefined) pairs.push(["resolved", String(state.resolved)]);
    if (state.escalate) pairs.push(["escalate", "1"]);
    return pairs;
  }

  function encode(pairs) {
    return new URLSearchParams(pairs).toString();
  }

  function url(path, query, changes) {
    const extra = changes && changes.change;
    const pairs = params(query, changes);
    if (extra) pairs.push(["change", String(extra)]);
    return path + "?" + encode(pairs);
  }

  function after(query, action, remedy) {
    if (action === "resolved") return Object.assign({}, query, { resolved: remedy, escalate: false });
    if ((action === "unresolved" || action === "done") && remedy !== null) {
      return Object.assign({}, query, { tried: [...query.tried, remedy], resolved: null, escalate: false });
    }
    return Object.assign({}, query, { escalate: true, resolved: null });
  }

  // --- ranking.py -----------------------------------------------------------------------------

  function appliesToService(services, service) {
    return !services.length || service === null || services.includes(service);
  }

  function isVisible(question, service, chosen) {
    if (question.services.length && !question.services.includes(service)) return false;
    return !question.after.length || question.after.some((slug) => chosen.includes(slug));
  }

  function interpret(pack, service, answers) {
    const ix = index(pack);
    const t = pack.strings;
    const notes = [];
    const sq = ix.serviceQuestion;
    let serviceOption = null;
    if (service) {
      let candidate = ix.options.get(service) || null;
      if (sq && (candidate === null || candidate.question !== sq.slug)) {
        candidate = sq.options.find((o) => o.service === service) || null;
      }
      if (candidate && sq && candidate.question === sq.slug) serviceOption = candidate;
      else notes.push(format(t.noteService, { service }));
    }
    const chosenService = serviceOption ? serviceOption.service : null;

    const wanted = new Map();
    const seen = new Set();
    for (const slug of answers) {
      if (seen.has(slug)) continue;
      seen.add(slug);
      const option = ix.options.get(slug);
      if (!option) {
        notes.push(format(t.noteUnknown, { answer: slug }));
      } else if (sq && option.question === sq.slug) {
        notes.push(format(t.noteServiceAnswer, { answer: option.label }));
      } else {
        if (!wanted.has(option.question)) wanted.set(option.question, []);
        wanted.get(option.question).push(option);
      }
    }
    const chosen = [];
    for (const question of pack.questions) {
      const picked = wanted.get(question.slug) || [];
      wanted.delete(question.slug);
      if (question.kind === SERVICE || !picked.length) continue;
      if (!isVisible(question, chosenService, chosen.map((o) => o.slug))) {
        const labels = picked.map((o) => o.label).join(t.quoteSep);
        notes.push(format(picked.length === 1 ? t.noteHiddenOne : t.noteHiddenMany, { answers: labels }));
        continue;
      }
      let usable = picked.filter((o) => appliesToService(o.services, chosenService));
      for (const option of picked) {
        if (!usable.includes(option)) notes.push(format(t.noteNotService, { answer: option.label }));
      }
      if (question.kind === SINGLE && usable.length > 1) {
        notes.push(format(t.noteSingle, { question: question.text, answer: usable[0].label }));
        usable = usable.slice(0, 1);
      }
      chosen.push(...usable);
    }
    for (const picked of wanted.values()) {
      for (const option of picked) notes.push(format(t.noteGone, { answer: option.label }));
    }
    return { serviceOption, service: chosenService, chosen, notes };
  }

  function forQuestion(answers, question) {
    if (question.kind === SERVICE) return answers.serviceOption ? [answers.serviceOption] : [];
    return answers.chosen.filter((o) => o.question === question.slug);
  }

  function visibleQuestions(pack, answers) {
    const visible = [];
    const soFar = [];
    for (const question of pack.questions) {
      if (question.kind === SERVICE || isVisible(question, answers.service, soFar)) {
        visible.push(question);
        soFar.push(...forQuestion(answers, question).map((o) => o.slug));
      }
    }
    return visible;
  }

  function remainingSteps(pack, answers, reopen) {
    const ix = index(pack);
    const serviceOpen = answers.serviceOption === null;
    const open = new Set();
    const chosen = [];
    for (const question of pack.questions) {
      const picked = forQuestion(answers, question);
      const visible = question.kind === SERVICE || isVisible(question, answers.service, chosen);
      if (visible) {
        if (!picked.length || question === reopen) open.add(question.slug);
        chosen.push(...picked.map((o) => o.slug));
        continue;
      }
      const servicePossible =
        !question.services.length || serviceOpen || question.services.includes(answers.service);
      const conditionPossible =
        !question.after.length ||
        question.after.some((slug) => chosen.includes(slug)) ||
        question.after.some((slug) => {
          const option = ix.options.get(slug);
          return option && open.has(option.question);
        });
      if (servicePossible && conditionPossible) open.add(question.slug);
    }
    return open.size;
  }

  function nextQuestion(pack, answers) {
    return visibleQuestions(pack, answers).find((q) => !forQuestion(answers, q).length) || null;
  }

  function orderedRemedies(pack, cause, answered) {
    let remedies = cause.remedies;
    const order = (pack.learned || {})[cause.slug];
    if (order && order.length === remedies.length) {
      const byId = new Map(remedies.map((r) => [r.id, r]));
      if (order.every((id) => byId.has(id)) && new Set(order).size === byId.size) {
        remedies = order.map((id) => byId.get(id));
      }
    }
    const first = (r) => (r.firstWhen.some((slug) => answered.has(slug)) ? 0 : 1);
    return remedies.slice().sort((a, b) => first(a) - first(b));
  }

  function rankAnswers(pack, answers) {
    const rules = pack.rules;
    const scores = new Map();
    const reasons = new Map();
    const decisive = new Set();
    const score = (slug) => scores.get(slug) || 0;
    for (const option of answers.chosen) {
      for (const [cause, weight, isDecisive] of option.weights) {
        scores.set(cause, score(cause) + weight);
        if (weight > 0) {
          if (!reasons.has(cause)) reasons.set(cause, []);
          reasons.get(cause).push([weight, option.label]);
        }
        if (isDecisive) decisive.add(cause);
      }
    }
    const answered = new Set(answers.chosen.map((o) => o.slug));
    if (answers.serviceOption) answered.add(answers.serviceOption.slug);
    const position = new Map(pack.causes.map((c, i) => [c.slug, i]));
    const eligible = pack.causes.filter((c) => appliesToService(c.services, answers.service));
    const pointed = eligible.filter((c) => score(c.slug) > 0 || decisive.has(c.slug));
    const fallback = !pointed.length;
    let listed;
    let unlisted;
    if (fallback) {
      const usual = eligible.filter((c) => !c.urgent);
      listed = usual.slice(0, rules.fallbackListed);
      unlisted = usual.slice(rules.fallbackListed);
    } else {
      const top = Math.max(...pointed.map((c) => score(c.slug)));
      const enough = (c) =>
        decisive.has(c.slug) || (score(c.slug) >= rules.minEvidence && score(c.slug) >= top * rules.minShare);
      listed = pointed.filter(enough);
      if (!listed.length) {
        listed = [pointed.reduce((best, c) => (score(c.slug) > score(best.slug) ? c : best))];
      }
      unlisted = pointed.filter((c) => !listed.includes(c));
    }
    const key = (c) => [decisive.has(c.slug) ? 0 : 1, -score(c.slug), position.get(c.slug)];
    const compare = (a, b) => {
      const ka = key(a);
      const kb = key(b);
      for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
      return 0;
    };
    const ranked = (group) =>
      group
        .slice()
        .sort(compare)
        .map((c) => ({
          cause: c,
          score: score(c.slug),
          reasons: strongReasons(rules, reasons.get(c.slug) || []),
          decisive: decisive.has(c.slug),
          remedies: orderedRemedies(pack, c, answered),
          checklist: c.urgent,
        }));
    const causes = ranked(listed);
    const checklists = causes.filter((r, i) => r.checklist && (r.decisive || i === 0));
    const fixes = [];
    for (const rc of causes) if (!rc.checklist) fixes.push(...rc.remedies);
    return { answers, causes, fallback, others: ranked(unlisted), checklists, fixes };
  }

  function strongReasons(rules, weighed) {
    return weighed
      .filter(([w]) => w >= rules.reasonMin)
      .sort((a, b) => b[0] - a[0])
      .map(([, label]) => label);
  }

  function progress(ranking, tried, resolved) {
    const inList = new Map(ranking.fixes.map((r) => [r.id, r]));
    const done = [];
    for (const id of tried) {
      const remedy = inList.get(id);
      if (remedy && !done.includes(remedy)) done.push(remedy);
    }
    const resolvedRemedy = resolved !== null ? inList.get(resolved) || null : null;
    const result = (current, currentCause, usedUp) => ({
      tried: done,
      resolved: resolvedRemedy,
      current,
      currentCause,
      leadingUsedUp: usedUp,
      exhausted: resolvedRemedy === null && current === null,
    });
    if (resolvedRemedy !== null) return result(null, null, false);
    const withFixes = ranking.causes.filter((rc) => !rc.checklist);
    for (const rc of withFixes) {
      for (const remedy of rc.remedies) {
        if (!done.includes(remedy)) return result(remedy, rc, rc !== withFixes[0]);
      }
    }
    return result(null, null, true);
  }

  // --- flow.py --------------------------------------------------------------------------------

  function answeredSteps(pack, query, answers, upto) {
    const steps = [];
    for (const question of visibleQuestions(pack, answers)) {
      if (question === upto) break;
      const chosen = forQuestion(answers, question);
      if (chosen.length) {
        steps.push({
          question,
          labels: chosen.map((o) => o.label),
          changeUrl: url(pack.paths.flow, query, { tried: [], resolved: null, escalate: false, change: question.slug }),
        });
      }
    }
    return steps;
  }

  function questionScreen(pack, query, answers, question) {
    const visible = visibleQuestions(pack, answers);
    const step = visible.includes(question) ? visible.indexOf(question) + 1 : 1;
    const remaining = remainingSteps(pack, answers, question);
    const answered = answeredSteps(pack, query, answers, question);
    const isService = question.kind === SERVICE;
    const options = question.options.filter((o) => isService || appliesToService(o.services, answers.service));
    const selected = new Set(forQuestion(answers, question).map((o) => o.slug));
    const error = query.asked === question.slug && !selected.size ? pack.strings.chooseAnswer : "";
    const hidden = [["f", query.flowId]];
    if (!isService && answers.serviceOption) hidden.push(["service", answers.serviceOption.slug]);
    for (const o of answers.chosen) if (o.question !== question.slug) hidden.push(["a", o.slug]);
    hidden.push(["q", question.slug]);
    return {
      kind: "question",
      query,
      answers,
      heading: question.text,
      step,
      total: step - 1 + remaining,
      remaining,
      previousUrl: answered.length ? answered[answered.length - 1].changeUrl : "",
      question,
      options,
      selected,
      error,
      hidden,
      answered,
      beacon: answers.serviceOption && step === 2 ? "started" : "",
    };
  }

  function summaryText(pack, screen) {
    const t = pack.strings;
    const lines = [t.summaryHead, format(t.summaryService, { service: screen.serviceName || t.notSure })];
    for (const step of screen.answered) {
      if (step.question.kind === SERVICE) continue;
      lines.push(format(t.summaryAnswer, { question: step.question.text, answers: step.labels.join(t.listSep) }));
    }
    const marked = screen.progress ? screen.progress.tried : [];
    if (marked.length) {
      lines.push(t.summaryDid);
      marked.forEach((remedy, i) => {
        lines.push(format(remedy.action ? t.summaryDone : t.summaryNotIn, { number: i + 1, step: remedy.title }));
      });
    } else {
      lines.push(t.summaryNothing);
    }
    lines.push(t.summaryNever);
    return lines.join("\n");
  }

  function screen(pack, query) {
    const ix = index(pack);
    const answers = interpret(pack, query.service, query.answers);
    if (query.change) {
      const target = ix.questions.get(query.change);
      if (target && visibleQuestions(pack, answers).includes(target)) {
        return questionScreen(pack, query, answers, target);
      }
    }
    const question = nextQuestion(pack, answers);
    if (question) return questionScreen(pack, query, answers, question);

    const ranking = rankAnswers(pack, answers);
    const prog = progress(ranking, query.tried, query.resolved);
    const serviceName = answers.service ? pack.services[answers.service] || "" : "";
    const common = {
      query,
      answers,
      ranking,
      progress: prog,
      answered: answeredSteps(pack, query, answers, null),
      serviceName,
      beacon: "",
      faqs: [],
      tips: [],
      channels: [],
    };
    if (prog.resolved) {
      const cause = ix.causes.get(prog.resolved.cause);
      return Object.assign(common, { kind: "resolved", heading: pack.strings.gladHeading, tips: cause ? cause.tips : [] });
    }
    if (query.escalate || (prog.exhausted && ranking.fixes.length)) {
      let channels;
      if (serviceName) channels = pack.channels[answers.service] || [];
      else channels = Object.keys(pack.services).flatMap((s) => pack.channels[s] || []);
      const result = Object.assign(common, { kind: "escalate", heading: pack.strings.contactSupport, channels });
      result.summary = summaryText(pack, result);
      return result;
    }
    const current = prog.currentCause;
    return Object.assign(common, {
      kind: "result",
      heading: pack.strings.resultHeading,
      beacon: "answered",
      faqs: current ? current.cause.faqs.slice(0, 2) : [],
    });
  }

  // --- The templates --------------------------------------------------------------------------

  function esc(value) {
    return String(value)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#x27;");
  }

  function hiddenInputs(pairs) {
    return pairs.map(([n, v]) => '<input type="hidden" name="' + esc(n) + '" value="' + esc(v) + '">').join("");
  }

  function csrf(token) {
    return '<input type="hidden" name="csrfmiddlewaretoken" value="' + esc(token) + '">';
  }

  function state(screen) {
    return params(screen.query, { resolved: null, escalate: false });
  }

  function backUrl(pack, screen) {
    return url(pack.paths.flow, screen.query, { resolved: null, escalate: false });
  }

  function title(pack, screen) {
    const t = pack.strings;
    const head =
      screen.kind === "question" ? format(t.title, { step: screen.step, heading: screen.heading }) : screen.heading;
    return head + " - " + t.flowTitle + " | " + pack.siteName;
  }

  function renderQuestion(pack, screen) {
    const t = pack.strings;
    const q = screen.question;
    const isService = q.kind === SERVICE;
    const multiple = q.kind === MULTIPLE;
    const flow = esc(pack.paths.flow);
    let html = "";
    if (isService) html += '<p class="flow-intro">' + t.intro + "</p>";
    html +=
      '<p class="flow-progress"><span>' + esc(pack.remaining[screen.remaining] || "") + "</span>" +
      '<progress value="' + (screen.step - 1) + '" max="' + screen.total + '" aria-hidden="true"></progress></p>';
    html += '<form class="flow-form" action="' + flow + '" method="get" data-hx-get="' + flow + '">';
    html += hiddenInputs(screen.hidden);
    const described = [];
    if (q.help) described.push("question-help");
    if (screen.error) described.push("question-error");
    html += "<fieldset" + (described.length ? ' aria-describedby="' + described.join(" ") + '"' : "") + ">";
    html += '<legend><h1 id="flow-heading" tabindex="-1">' + esc(q.text) + "</h1></legend>";
    if (q.help) html += '<p id="question-help" class="question-help">' + esc(q.help) + "</p>";
    if (screen.error) html += '<p id="question-error" class="form-error">' + esc(screen.error) + "</p>";
    html += '<p class="choice-hint">' + esc(multiple ? t.chooseAll : t.chooseOne) + "</p>";
    html += '<ul class="options">';
    for (const o of screen.options) {
      const id = "opt-" + esc(o.slug);
      html +=
        '<li><input id="' + id + '" type="' + (multiple ? "checkbox" : "radio") + '" name="' +
        (isService ? "service" : "a") + '" value="' + esc(o.slug) + '"' +
        (screen.selected.has(o.slug) ? " checked" : "") +
        (o.hint ? ' aria-describedby="hint-' + esc(o.slug) + '"' : "") +
        (screen.error ? ' aria-invalid="true"' : "") + ">" +
        '<label for="' + id + '"><span class="option-label">' + esc(o.label) + "</span>" +
        (o.hint ? '<span class="option-hint" id="hint-' + esc(o.slug) + '">' + esc(o.hint) + "</span>" : "") +
        "</label></li>";
    }
    html += "</ul></fieldset>";
    html += '<p class="flow-nav"><button type="submit" class="button button-large">' + esc(t.next) + "</button>";
    if (screen.previousUrl) {
      const prev = esc(screen.previousUrl);
      html += '<a class="back-link" href="' + prev + '" data-hx-get="' + prev + '">' + esc(t.previous) + "</a>";
    }
    return html + "</p></form>";
  }

  function because(t, reasons) {
    return reasons.length ? '<p class="reasons">' + esc(format(t.because, { answers: reasons.join(t.quoteSep) })) + "</p>" : "";
  }

  function renderResult(pack, screen, token) {
    const t = pack.strings;
    const ranking = screen.ranking;
    const prog = screen.progress;
    const answer = esc(pack.paths.answer);
    const stateFields = csrf(token) + hiddenInputs(state(screen));
    let html = '<h1 id="flow-heading" tabindex="-1">' + esc(t.resultHeading) + "</h1>";
    for (const ranked of ranking.checklists) {
      const slug = esc(ranked.cause.slug);
      html +=
        '<section class="notice notice-urgent checklist" aria-labelledby="checklist-' + slug + '">' +
        '<h2 id="checklist-' + slug + '">' + esc(format(t.doNow, { cause: ranked.cause.title })) + "</h2>" +
        "<p" + (ranked.decisive ? ' role="alert"' : "") + ">" + esc(ranked.cause.warning || ranked.cause.summary) + "</p>" +
        because(t, ranked.reasons) +
        '<form class="contact-first" action="' + answer + '" method="post" data-hx-post="' + answer + '">' + stateFields +
        '<button type="submit" class="button" name="action" value="escalate">' + esc(t.contactSupport) + "</button></form>" +
        "<p>" + esc(t.thenSteps) + '</p><ol class="checklist-steps">' +
        ranked.remedies
          .map((s) => "<li><details><summary>" + esc(s.title) + '</summary><div class="prose">' + s.body + "</div></details></li>")
          .join("") +
        "</ol>" +
        '<p><a href="' + esc(ranked.cause.url) + '">' + esc(format(t.moreAbout, { cause: ranked.cause.title })) + "</a></p></section>";
    }
    const remedy = prog.current;
    const current = prog.currentCause;
    if (remedy) {
      if (ranking.fallback) html += '<p class="notice">' + esc(t.fallback) + "</p>";
      else if (ranking.checklists.length) html += '<p class="lead">' + esc(t.afterChecklist) + "</p>";
      else html += '<p class="lead">' + esc(t.leadRanked) + "</p>";
      let heading;
      if (remedy.action) heading = t.doNext;
      else if (prog.tried.length) heading = format(t.tryNextStep, { number: prog.tried.length + 1 });
      else heading = t.tryNext;
      html +=
        '<section class="current-fix" aria-labelledby="current-title">' +
        '<h2 id="current-title">' + esc(heading) + "</h2>" +
        '<p class="current-cause">' + format(t.possibleCause, { url: esc(current.cause.url), cause: esc(current.cause.title) }) + "</p>" +
        '<h3 class="current-remedy">' + esc(remedy.title) + "</h3>" +
        '<div class="prose">' + remedy.body + "</div>";
      if (screen.faqs.length) {
        html +=
          '<div class="related-faqs"><h4>' + esc(t.relatedQuestions) + "</h4><ul>" +
          screen.faqs.map((f) => '<li><a href="' + esc(f.url) + '">' + esc(f.question) + "</a></li>").join("") +
          "</ul></div>";
      }
      html +=
        '<p class="feedback-question" id="feedback-question">' + esc(remedy.action ? t.whenDone : t.didItWork) + "</p>" +
        '<form action="' + answer + '" method="post" data-hx-post="' + answer + '">' + stateFields +
        '<input type="hidden" name="remedy" value="' + remedy.id + '">' +
        '<div class="feedback" role="group" aria-labelledby="feedback-question">';
      if (remedy.action) {
        html += '<button type="submit" class="button" name="action" value="done">' + esc(t.doneNext) + "</button>";
      } else {
        html +=
          '<button type="submit" class="button" name="action" value="resolved">' + esc(t.itWorked) + "</button>" +
          '<button type="submit" class="button button-secondary" name="action" value="unresolved">' + esc(t.itDidNot) + "</button>";
      }
      if (prog.leadingUsedUp) {
        html += '<button type="submit" class="button button-secondary" name="action" value="escalate">' + esc(t.askSupport) + "</button>";
      }
      html += "</div></form></section>";
    }
    html += '<section aria-labelledby="ranking-title"><h2 id="ranking-title">' + esc(t.rankingTitle) + '</h2><ol class="ranking">';
    for (const ranked of ranking.causes) {
      html +=
        '<li class="ranked' + (ranked.checklist ? " ranked-urgent" : "") + '"><details' + (ranked === current ? " open" : "") + ">" +
        '<summary><span class="ranked-title">' + esc(ranked.cause.title) + "</span>" +
        (ranked.checklist ? ' <span class="badge badge-urgent">' + esc(t.topPriority) + "</span>" : "") + "</summary>" +
        because(t, ranked.reasons) +
        "<p>" + esc(ranked.cause.summary) + '</p><ol class="remedy-status">';
      for (const step of ranked.remedies) {
        let badge = "";
        if (prog.tried.includes(step)) badge = ' <span class="badge">' + esc(step.action ? t.done : t.triedNo) + "</span>";
        else if (step === prog.current) badge = ' <span class="badge badge-current">' + esc(step.action ? t.doingNow : t.tryingNow) + "</span>";
        html += "<li>" + esc(step.title) + badge + "</li>";
      }
      html += '</ol><p><a href="' + esc(ranked.cause.url) + '">' + esc(format(t.moreAbout, { cause: ranked.cause.title })) + "</a></p></details></li>";
    }
    html += "</ol>";
    if (ranking.others.length) {
      html +=
        '<details class="other-causes"><summary>' + esc(t.otherPossibilities) + "</summary><p>" + esc(t.weakly) + "</p><ul>" +
        ranking.others.map((r) => '<li><a href="' + esc(r.cause.url) + '">' + esc(r.cause.title) + "</a>: " + esc(r.cause.summary) + "</li>").join("") +
        "</ul></details>";
    }
    html +=
      "</section>" +
      '<form class="escalate" action="' + answer + '" method="post" data-hx-post="' + answer + '">' + stateFields +
      '<button type="submit" class="link-button" name="action" value="escalate">' + esc(t.skipFixes) + "</button></form>";
    return html;
  }

  function renderResolved(pack, screen) {
    const t = pack.strings;
    const back = esc(backUrl(pack, screen));
    let html =
      '<h1 id="flow-heading" tabindex="-1">' + esc(t.gladHeading) + "</h1>" +
      '<div class="notice notice-ok"><p>' + esc(format(t.gotIn, { fix: screen.progress.resolved.title })) + "</p></div>";
    if (screen.tips.length) {
      html +=
        '<section aria-labelledby="tips-title"><h2 id="tips-title">' + esc(t.notAgain) + '</h2><ul class="card-list card-list-compact">' +
        screen.tips.map((tip) => '<li class="card"><a class="card-title" href="' + esc(tip.url) + '">' + esc(tip.title) + "</a><p>" + esc(tip.summary) + "</p></li>").join("") +
        "</ul></section>";
    }
    return (
      html +
      '<p><a href="' + back + '" data-hx-get="' + back + '">' + esc(t.notSolved) + "</a></p>" +
      '<p><a href="' + esc(pack.paths.home) + '">' + esc(t.backHome) + "</a></p>"
    );
  }

  function fixesUsedUp(screen) {
    return Boolean(screen.progress && screen.progress.exhausted && screen.progress.tried.length && screen.ranking);
  }

  function renderEscalate(pack, screen) {
    const t = pack.strings;
    const usedUp = fixesUsedUp(screen);
    let html = '<h1 id="flow-heading" tabindex="-1">' + esc(t.contactSupport) + "</h1>";
    html += '<p class="lead">' + (usedUp ? esc(t.triedEverything) : esc(format(t.howToAsk, { site_name: pack.siteName }))) + "</p>";
    for (const urgent of screen.ranking.checklists) {
      html +=
        '<div class="notice notice-urgent"><p><strong>' + esc(urgent.cause.title) + "：</strong>" +
        esc(urgent.cause.warning || urgent.cause.summary) + "</p></div>";
    }
    html +=
      '<section aria-labelledby="summary-title"><h2 id="summary-title">' + esc(t.summaryTitle) + "</h2>" +
      "<p>" + esc(t.summaryHelp) + "</p>" +
      '<label class="summary-label" for="flow-summary">' + esc(t.summaryLabel) + "</label>" +
      '<textarea id="flow-summary" class="summary" readonly rows="9">' + esc(screen.summary) + "</textarea>" +
      '<p><button type="button" class="button button-secondary" data-copy="flow-summary" data-copied="' + esc(t.copied) +
      '" data-copy-failed="' + esc(t.copyFailed) + '" hidden>' + esc(t.copy) + "</button>" +
      '<span class="copy-status" role="status" aria-live="polite"></span></p></section>';
    const heading = screen.serviceName ? format(t.howToContactService, { service: screen.serviceName }) : t.howToContact;
    html += '<section aria-labelledby="channels-title"><h2 id="channels-title">' + esc(heading) + "</h2>";
    html += screen.channels.length
      ? screen.channels.join("")
      : "<p>" + format(t.seeContacts, { contact_url: esc(pack.paths.contact) }) + "</p>";
    html += '</section><div class="notice"><p>' + t.neverTell + "</p></div>";
    if (!usedUp) {
      const back = esc(backUrl(pack, screen));
      html += '<p><a href="' + back + '" data-hx-get="' + back + '">' + esc(t.backToFixes) + "</a></p>";
    }
    return html;
  }

  // The step (diagnose.html's `step` partial): what htmx swaps in, and what a whole page holds.
  function render(pack, screen, token) {
    const t = pack.strings;
    const announce =
      (screen.error || "") +
      (screen.kind === "question"
        ? format(t.announce, { step: screen.step, remaining: screen.remaining, heading: screen.heading })
        : screen.heading);
    let html =
      '<section id="flow-step" class="flow-step" aria-labelledby="flow-heading" data-title="' + esc(title(pack, screen)) +
      '" data-announce="' + esc(announce) + '"';
    if (screen.beacon) {
      const data = encode([["event", screen.beacon], ...params(screen.query, { tried: [], resolved: null })]);
      html += ' data-beacon="' + esc(data) + '"';
    }
    html += ">";
    if (screen.answers.notes.length) {
      html +=
        '<div class="notice" role="note" aria-label="' + esc(t.aboutAnswers) + '"><ul>' +
        screen.answers.notes.map((n) => "<li>" + esc(n) + "</li>").join("") + "</ul></div>";
    }
    if (screen.kind === "question") html += renderQuestion(pack, screen);
    else if (screen.kind === "result") html += renderResult(pack, screen, token);
    else if (screen.kind === "resolved") html += renderResolved(pack, screen);
    else html += renderEscalate(pack, screen);
    if (screen.answered.length) {
      html += '<section class="flow-answers" aria-labelledby="answers-title"><h2 id="answers-title">' + esc(t.answersSoFar) + "</h2><dl>";
      for (const a of screen.answered) {
        const change = esc(a.changeUrl);
        html +=
          '<div class="answer-row"><dt>' + esc(a.question.text) + "</dt><dd>" + esc(a.labels.join(t.listSep)) +
          ' <a class="change-link" href="' + change + '" data-hx-get="' + change + '">' +
          format(t.change, { question: esc(a.question.text) }) + "</a></dd></div>";
      }
      html += "</dl></section>";
    }
    const flow = esc(pack.paths.flow);
    html += '<p class="flow-restart"><a href="' + flow + '" data-hx-get="' + flow + '">' + esc(t.startOver) + "</a></p></section>";
    return html;
  }

  const api = { parse, params, url, after, screen, render, title, interpret, rankAnswers, progress };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.LoginHelpFlow = api;
})(typeof self !== "undefined" ? self : this);
