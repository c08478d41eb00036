/* The interviewer's offline app (CAPI).  Plain JavaScript, no framework.

   The package (cases, forms without keys, option orders, demographic module, consent text)
   is downloaded when there is a network and kept in IndexedDB.  An interview runs page by
   page (consent, the personal section, one page per dimension, the end) and is kept as a
   draft keyed by its case, with the client id generated ONCE when it starts: a reload, a
   second tab or a double tap continue the same record.  Finished and broken-off interviews
   and visits go into the "outbox" store first and are sent from there (on finish, when the
   network returns, on page load and with "Send now"); the server stores each client id once.
*/
(function () {
  "use strict";

  const root = document.getElementById("capi");
  if (!root) return;
  const T = JSON.parse(document.getElementById("capi-text").textContent);
  const URLS = {
    package: root.dataset.package, interviews: root.dataset.interviews,
    contacts: root.dataset.contacts, csrf: root.dataset.csrf, sw: root.dataset.sw,
    scope: root.dataset.scope,
  };
  const $ = (id) => document.getElementById(id);
  const views = {list: $("capi-list"), interview: $("capi-interview"), queue: $("capi-queue")};
  let pkg = null;
  let draft = null;
  let pageShownAt = 0;
  let lastTouch = 0;

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, (m, key) => (key in values ? String(values[key]) : m));
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of [].concat(children || [])) {
      if (child !== null && child !== undefined) {
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      }
    }
    return node;
  }

  function nowIso() { return new Date().toISOString(); }

  function newClientId() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /* --- IndexedDB ------------------------------------------------------------------------ */

  const dbReady = new Promise((resolve, reject) => {
    const request = indexedDB.open("kexue-capi", 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("outbox", {keyPath: "client_id"});
      db.createObjectStore("drafts", {keyPath: "case_id"});
      db.createObjectStore("meta", {keyPath: "key"});
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

  function store(name, mode, work) {
    return dbReady.then((db) => new Promise((resolve, reject) => {
      const tx = db.transaction(name, mode);
      let result;
      const request = work(tx.objectStore(name));
      if (request) request.onsuccess = () => { result = request.result; };
      tx.oncomplete = () => resolve(result);
      tx.onerror = (event) => { event.preventDefault(); reject(tx.error); };
      tx.onabort = () => reject(tx.error);
    }));
  }
  const idb = {
    get: (name, key) => store(name, "readonly", (s) => s.get(key)),
    put: (name, value) => store(name, "readwrite", (s) => s.put(value)),
    del: (name, key) => store(name, "readwrite", (s) => s.delete(key)),
    all: (name) => store(name, "readonly", (s) => s.getAll()),
    // Adds once: a second add of the same client id (a double tap) changes nothing.
    addOnce: (name, value) => store(name, "readwrite", (s) => s.add(value)).catch((error) => {
      if (!error || error.name !== "ConstraintError") throw error;
    }),
  };

  /* --- status bar ----------------------------------------------------------------------- */

  function notice(text) {
    const node = $("capi-notice");
    node.textContent = text || "";
    node.hidden = !text;
  }

  function showOnline() {
    const node = $("capi-online");
    node.textContent = navigator.onLine ? T.online : T.offline;
    node.classList.toggle("off", !navigator.onLine);
  }

  function show(view) {
    for (const [name, node] of Object.entries(views)) node.hidden = name !== view;
    window.scrollTo(0, 0);
  }

  /* --- package -------------------------------------------------------------------------- */

  function signedOut(response) {
    return response.type === "opaqueredirect" || response.redirected ||
      response.status === 401 || response.status === 403;
  }

  function isJson(response) {
    return (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
  }

  async function loadPackage() {
    try {
      const response = await fetch(URLS.package, {credentials: "same-origin", redirect: "manual",
                                                  headers: {Accept: "application/json"}});
      if (response.ok && isJson(response)) {
        const fresh = await response.json();
        await idb.put("meta", {key: "package", value: fresh});
        return fresh;
      }
      if (signedOut(response)) notice(T.sign_in);
    } catch (error) {
      // No network: the stored package below.
    }
    const stored = await idb.get("meta", "package");
    return stored ? stored.value : null;
  }

  function caseById(id) { return pkg.cases.find((c) => c.id === id); }

  /* --- the case list -------------------------------------------------------------------- */

  async function renderList() {
    const list = views.list;
    list.textContent = "";
    if (!pkg) { list.appendChild(el("p", {class: "flash", text: T.no_package})); return; }
    if (!pkg.cases.length) { list.appendChild(el("p", {class: "muted", text: T.no_cases})); return; }
    const outbox = await idb.all("outbox");
    const drafts = await idb.all("drafts");
    const queued = new Map(outbox.filter((r) => r.kind === "interview").map((r) => [r.case_id, r]));
    const started = new Set(drafts.map((d) => d.case_id));
    const wave = Object.values(pkg.waves)[0];
    if (wave) list.appendChild(el("p", {class: "muted", text: wave.name}));
    const ul = el("ul", {class: "capi-cases"});
    for (const c of pkg.cases) {
      const record = queued.get(c.id);
      let state = null;
      if (c.interviewed || (record && record.state === "sent")) state = T.interviewed;
      else if (record) state = record.state === "refused" ? T.state_refused : T.queued_badge;
      const li = el("li", {class: "card", "data-case": c.id}, [
        el("strong", {text: c.township + " · " + c.psu}),
        el("div", {text: T.household + " " + c.household_line + (c.household ? "：" + c.household : "")}),
        c.adult && c.adult.number ? el("div", {class: "muted", "data-test": "case-adult", text: c.adult.sex_label
          ? fmt(T.adult_who, {n: c.adult.number, m: c.adult.of, sex: c.adult.sex_label, age: c.adult.age})
          : fmt(T.adult, {n: c.adult.number, m: c.adult.of})}) : null,
        el("div", {class: "muted", text: fmt(T.form, {code: c.form_code})}),
      ]);
      if (state) {
        li.appendChild(el("p", {class: "capi-state", "data-test": "case-state", text: state}));
      } else {
        li.appendChild(el("button", {type: "button", class: "primary capi-big",
          "data-test": "start-" + c.id, text: started.has(c.id) ? T.continue : T.start,
          on: {click: () => startInterview(c.id)}}));
      }
      ul.appendChild(li);
    }
    list.appendChild(ul);
  }

  /* --- the interview -------------------------------------------------------------------- */

  function pagesOf(c) {
    const form = pkg.forms[String(c.form_id)];
    return ["consent", "personal", ...form.sections.map((s) => s.dimension), "finish"];
  }

  async function startInterview(caseId) {
    const c = caseById(caseId);
    draft = await idb.get("drafts", caseId);
    if (!draft) {
      draft = {case_id: caseId, client_id: newClientId(), created_at: nowIso(), page: 0,
               reached: 0, consent_at: null, started_at: null, profile: {
                 township: c.township_code, urban_rural: c.urban_rural},
               answers: {}, page_ms: {}};
      await idb.put("drafts", draft);
    }
    show("interview");
    renderPage();
  }

  function saveDraft() { return draft ? idb.put("drafts", draft) : Promise.resolve(); }

  function leavePage() {
    if (!draft || !pageShownAt) return;
    const name = pagesOf(caseById(draft.case_id))[draft.page];
    draft.page_ms[name] = (draft.page_ms[name] || 0) + (Date.now() - pageShownAt);
    pageShownAt = 0;
  }

  async function goTo(page) {
    leavePage();
    draft.page = page;
    draft.reached = Math.max(draft.reached, page);
    await saveDraft();
    renderPage();
  }

  function nav(buttons) { return el("div", {class: "capi-nav"}, buttons); }

  function renderPage() {
    const c = caseById(draft.case_id);
    const pages = pagesOf(c);
    const name = pages[draft.page];
    const view = views.interview;
    view.textContent = "";
    pageShownAt = Date.now();
    lastTouch = pageShownAt;
    view.appendChild(el("p", {class: "muted capi-where"}, [
      c.township + " · " + c.psu + " · " + T.household + " " + c.household_line + " · ",
      el("span", {text: fmt(T.page_of, {n: draft.page + 1, m: pages.length})})]));
    if (name === "consent") renderConsent(view, c);
    else if (name === "personal") renderPersonal(view, c);
    else if (name === "finish") renderFinish(view, c);
    else renderSection(view, c, name);
    window.scrollTo(0, 0);
  }

  function renderConsent(view, c) {
    const text = pkg.consent;
    view.appendChild(el("h2", {text: text.title}));
    const box = el("div", {class: "card capi-consent", "data-test": "consent"});
    for (const key of ["who", "what", "why", "kept", "voluntary", "duration"]) {
      box.appendChild(el("p", {text: text[key]}));
    }
    box.appendChild(el("p", {class: "capi-question", text: text.question}));
    view.appendChild(box);
    view.appendChild(nav([
      el("button", {type: "button", class: "primary capi-big", "data-test": "consent-agree",
        text: T.consent_agree, on: {click: async () => {
          if (!draft.consent_at) draft.consent_at = nowIso();
          if (!draft.started_at) draft.started_at = draft.consent_at;
          await goTo(1);
        }}}),
      el("button", {type: "button", class: "capi-big", "data-test": "consent-refuse",
        text: T.consent_refuse, on: {click: () => queueContact(c, "consent_refused", "")}}),
    ]));
  }

  function field(label, input, key) {
    return el("div", {class: "field", "data-field": key}, [el("label", {for: "capi-" + key, text: label}),
      input, el("p", {class: "error", role: "alert", hidden: true})]);
  }

  function group(label, input, key) {
    // Radio buttons: a fieldset named by its legend (a label names one control only).
    return el("fieldset", {class: "field capi-group", "data-field": key}, [el("legend", {text: label}),
      input, el("p", {class: "error", role: "alert", hidden: true})]);
  }

  function choiceSelect(key, choices, value) {
    const select = el("select", {id: "capi-" + key, name: key},
      [el("option", {value: "", text: T.choose})].concat(choices.map((ch) =>
        el("option", {value: ch.code, text: ch.label}))));
    select.value = value === undefined || value === null ? "" : String(value);
    select.addEventListener("change", () => { draft.profile[key] = select.value || null; saveDraft(); });
    return select;
  }

  function radios(key, choices, value) {
    return el("div", {class: "capi-radios", id: "capi-" + key}, choices.map((ch) => {
      const input = el("input", {type: "radio", name: key, value: ch.code,
                                 checked: String(value) === ch.code});
      input.addEventListener("change", () => { draft.profile[key] = ch.code; saveDraft(); });
      return el("label", {class: "option"}, [input, el("span", {text: ch.label})]);
    }));
  }

  function numberInput(key, value, low, high) {
    const input = el("input", {type: "number", id: "capi-" + key, name: key, inputmode: "numeric",
                               min: low, max: high, value: value === undefined || value === null ? "" : value});
    input.addEventListener("input", () => {
      draft.profile[key] = input.value === "" ? null : Number(input.value);
      saveDraft();
    });
    return input;
  }

  function months() {
    return Array.from({length: 12}, (v, k) => ({code: String(k + 1), label: String(k + 1)}));
  }

  function renderPersonal(view, c) {
    const d = pkg.demographics;
    const p = draft.profile;
    const refYear = Number(pkg.waves[String(c.wave_id)].reference_date.slice(0, 4));
    view.appendChild(el("h2", {text: T.personal}));
    const form = el("div", {class: "capi-personal", "data-test": "personal"}, [
      group(T.sex, radios("sex", d.sex, p.sex), "sex"),
      field(T.birth_year, numberInput("birth_year", p.birth_year, 1900, refYear), "birth_year"),
      field(T.birth_month, choiceSelect("birth_month", months(), p.birth_month), "birth_month"),
      field(T.education, choiceSelect("education", d.education, p.education), "education"),
      field(T.occupation, choiceSelect("occupation", d.occupation, p.occupation), "occupation"),
      field(T.township, choiceSelect("township", d.townships, p.township), "township"),
      group(T.urban_rural, radios("urban_rural", d.urban_rural, p.urban_rural), "urban_rural"),
      field(T.moved_year, numberInput("in_city_since_year", p.in_city_since_year, 1900, refYear), "in_city_since_year"),
      field(T.moved_month, choiceSelect("in_city_since_month", months(), p.in_city_since_month), "in_city_since_month"),
      el("p", {class: "hint", text: T.moved_hint}),
    ]);
    view.appendChild(form);
    view.appendChild(nav([
      el("button", {type: "button", class: "capi-big", text: T.back, on: {click: () => goTo(0)}}),
      el("button", {type: "button", class: "primary capi-big", "data-test": "next", text: T.next,
        on: {click: () => { if (checkPersonal(form, c, refYear)) goTo(2); }}}),
    ]));
    view.appendChild(stopBox(c));
  }

  function setError(form, key, text) {
    const box = form.querySelector('[data-field="' + key + '"]');
    const p = box.querySelector(".error");
    p.textContent = text || "";
    p.hidden = !text;
    box.classList.toggle("has-error", !!text);
    return !text;
  }

  function checkPersonal(form, c, refYear) {
    const p = draft.profile;
    const wave = pkg.waves[String(c.wave_id)];
    let ok = true;
    for (const key of ["sex", "birth_year", "birth_month", "education", "occupation", "township", "urban_rural"]) {
      ok = setError(form, key, p[key] === undefined || p[key] === null || p[key] === "" ? T.required : "") && ok;
    }
    for (const key of ["birth_year", "in_city_since_year"]) {
      const year = p[key];
      if (year !== undefined && year !== null && (!Number.isInteger(year) || year < 1900 || year > refYear)) {
        ok = setError(form, key, fmt(T.bad_year, {low: 1900, high: refYear})) && false;
      }
    }
    if (ok) {
      const refMonth = Number(wave.reference_date.slice(5, 7));
      const age = refYear - p.birth_year - (Number(p.birth_month) > refMonth ? 1 : 0);
      if (age < wave.age_min || age > wave.age_max) {
        ok = setError(form, "birth_year", fmt(T.not_eligible, {age: age, low: wave.age_min, high: wave.age_max}));
      }
    }
    if (!ok) form.querySelector(".has-error").scrollIntoView();
    return ok;
  }

  function sectionOf(c, dimension) {
    return pkg.forms[String(c.form_id)].sections.find((s) => s.dimension === dimension);
  }

  function readAnswer(fieldset, multiple) {
    const checked = Array.from(fieldset.querySelectorAll("input:checked")).map((i) => i.value);
    if (!checked.length) return null;
    if (checked.includes("dont_know")) return "dont_know";
    const chosen = checked.map(Number).sort((a, b) => a - b);
    return multiple ? chosen : chosen.slice(0, 1);
  }

  function onAnswer(item, fieldset, input) {
    const multiple = item.type === "multiple";
    if (multiple && input.checked) {
      // "Don't know" excludes every option, and an option excludes "don't know".
      for (const other of fieldset.querySelectorAll("input")) {
        if ((input.value === "dont_know") !== (other.value === "dont_know")) other.checked = false;
      }
    }
    const now = Date.now();
    const key = String(item.id);
    const record = draft.answers[key] || {answer: null, changes: 0, ms: 0};
    const answer = readAnswer(fieldset, multiple);
    if (record.answer !== null && JSON.stringify(record.answer) !== JSON.stringify(answer)) {
      record.changes += 1;
    }
    // The time since the last answer on this page is this item's.
    record.ms += now - Math.max(lastTouch, pageShownAt);
    lastTouch = now;
    record.answer = answer;
    draft.answers[key] = record;
    saveDraft();
  }

  function renderSection(view, c, dimension) {
    const section = sectionOf(c, dimension);
    view.appendChild(el("h2", {text: section.label}));
    for (const item of section.items) {
      const multiple = item.type === "multiple";
      const order = c.option_orders[String(item.id)];
      const saved = (draft.answers[String(item.id)] || {}).answer;
      const fieldset = el("fieldset", {class: "capi-item", "data-item": item.id});
      fieldset.appendChild(el("legend", {}, [el("span", {class: "capi-num", text: (item.position + 1) + ". "}), item.stem]));
      if (multiple) fieldset.appendChild(el("p", {class: "hint", text: T.multiple_hint}));
      const name = "item-" + item.id;
      order.forEach((original, shown) => {
        const chosen = Array.isArray(saved) && saved.includes(original);
        const input = el("input", {type: multiple ? "checkbox" : "radio", name: name,
                                   value: String(original), checked: chosen});
        fieldset.appendChild(el("label", {class: "option"}, [input,
          el("span", {class: "letter", text: item.type === "true_false" ? "" : "ABCDEFGHIJ"[shown]}),
          el("span", {text: item.options[original]})]));
      });
      const dk = el("input", {type: multiple ? "checkbox" : "radio", name: name, value: "dont_know",
                              checked: saved === "dont_know"});
      fieldset.appendChild(el("label", {class: "option capi-dont-know"}, [dk, el("span", {text: T.dont_know})]));
      fieldset.addEventListener("change", (event) => onAnswer(item, fieldset, event.target));
      view.appendChild(fieldset);
    }
    view.appendChild(nav([
      el("button", {type: "button", class: "capi-big", text: T.back, on: {click: () => goTo(draft.page - 1)}}),
      el("button", {type: "button", class: "primary capi-big", "data-test": "next", text: T.next,
        on: {click: () => goTo(draft.page + 1)}}),
    ]));
    view.appendChild(stopBox(c));
  }

  function stopBox(c) {
    const box = el("div", {class: "capi-stop"});
    const confirm = el("div", {class: "card", hidden: true}, [
      el("p", {text: T.stop_confirm}),
      nav([el("button", {type: "button", class: "capi-big", "data-test": "stop-yes", text: T.stop_yes,
             on: {click: () => stopInterview(c)}}),
           el("button", {type: "button", class: "primary capi-big", text: T.stop_no,
             on: {click: () => { confirm.hidden = true; }}})]),
    ]);
    box.appendChild(el("button", {type: "button", class: "link", "data-test": "stop", text: T.stop,
                                  on: {click: () => { confirm.hidden = false; }}}));
    box.appendChild(confirm);
    return box;
  }

  function presentedItems(c) {
    const pages = pagesOf(c);
    const items = [];
    pages.forEach((name, index) => {
      if (index > draft.reached || ["consent", "personal", "finish"].includes(name)) return;
      items.push(...sectionOf(c, name).items);
    });
    return items;
  }

  function renderFinish(view, c) {
    const items = presentedItems(c);
    const answered = items.filter((i) => (draft.answers[String(i.id)] || {}).answer != null).length;
    view.appendChild(el("h2", {text: T.finish_title}));
    view.appendChild(el("p", {text: fmt(T.answered, {n: answered, m: items.length})}));
    view.appendChild(nav([
      el("button", {type: "button", class: "capi-big", text: T.back, on: {click: () => goTo(draft.page - 1)}}),
      el("button", {type: "button", class: "primary capi-big", "data-test": "finish", text: T.finish_button,
        on: {click: () => finishInterview(c, false)}}),
    ]));
  }

  function buildInterview(c, brokenOff) {
    const pages = pagesOf(c);
    const answers = presentedItems(c).map((item) => {
      const record = draft.answers[String(item.id)];
      const given = record && record.answer != null;
      return {item: item.id, position: item.position, option_order: c.option_orders[String(item.id)],
              answer: given ? record.answer : "blank", elapsed_ms: given ? Math.round(record.ms) : null,
              changes: record ? record.changes : 0};
    });
    const profile = {};
    for (const [key, value] of Object.entries(draft.profile)) {
      if (value === null || value === "" || value === undefined) continue;
      profile[key] = ["birth_year", "birth_month", "in_city_since_year", "in_city_since_month"].includes(key)
        ? Number(value) : value;
    }
    const shown = pages.slice(0, draft.reached + 1);
    return {client_id: draft.client_id, case_id: c.id, consent_at: draft.consent_at,
            started_at: draft.started_at, ended_at: nowIso(), broken_off: brokenOff,
            profile: profile, answers: answers, pages: shown,
            page_ms: shown.map((name) => Math.round(draft.page_ms[name] || 0)),
            device: navigator.userAgent.slice(0, 200)};
  }

  async function finishInterview(c, brokenOff) {
    if (!draft || draft.finishing) return;  // a double tap: the first tap saves it
    draft.finishing = true;
    leavePage();
    const payload = buildInterview(c, brokenOff);
    await idb.addOnce("outbox", {client_id: draft.client_id, kind: "interview", case_id: c.id,
      label: c.township + " · " + c.psu + " · " + T.household + " " + c.household_line,
      created_at: payload.ended_at, state: "waiting", message: "", payload: payload});
    await idb.del("drafts", c.id);
    draft = null;
    done(brokenOff ? T.saved_broken : T.saved);
  }

  async function stopInterview(c) {
    const name = pagesOf(c)[draft.page];
    if (name === "personal" || !draft.consent_at) {
      await queueContact(c, "refusal", "stopped in the personal section");
      return;
    }
    await finishInterview(c, true);
  }

  async function queueContact(c, outcome, note) {
    if (!draft || draft.finishing) return;
    draft.finishing = true;
    // The contact's id is the interview's id plus a suffix: a double tap stores it once.
    const clientId = draft.client_id + "-c";
    const payload = {client_id: clientId, case_id: c.id, outcome: outcome, attempted_at: nowIso(), note: note};
    await idb.addOnce("outbox", {client_id: clientId, kind: "contact", case_id: c.id,
      label: c.township + " · " + c.psu + " · " + T.household + " " + c.household_line,
      created_at: payload.attempted_at, state: "waiting", message: "", payload: payload,
      outcome: outcome});
    await idb.del("drafts", c.id);
    draft = null;
    done(T.consent_refused_saved);
  }

  async function done(text) {
    pageShownAt = 0;
    show("list");
    notice(text);
    await refresh();
    sync();
  }

  /* --- the queue ------------------------------------------------------------------------ */

  async function renderQueue() {
    const records = (await idb.all("outbox")).sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
    const waiting = records.filter((r) => r.state !== "sent");
    $("capi-queue-count").textContent = String(records.filter((r) => r.state === "waiting").length);
    const view = views.queue;
    view.textContent = "";
    const part = (title, list, test) => {
      view.appendChild(el("h2", {text: title}));
      if (!list.length) { view.appendChild(el("p", {class: "muted", "data-test": test + "-empty", text: T.queue_empty})); return; }
      view.appendChild(el("ul", {class: "capi-queue", "data-test": test}, list.map((r) => el("li", {
        class: "card", "data-state": r.state, "data-case": r.case_id}, [
        el("strong", {text: (r.kind === "interview" ? T.kind_interview : T.kind_contact) + " · " + r.label}),
        el("div", {class: "muted", text: new Date(r.created_at).toLocaleString()}),
        el("div", {class: "capi-state state-" + r.state, text: T["state_" + r.state] + (r.message ? "：" + r.message : "")}),
      ]))));
    };
    part(T.queue_waiting, waiting, "queue-waiting");
    part(T.queue_sent, records.filter((r) => r.state === "sent").slice(0, 50), "queue-sent");
  }

  async function refresh() {
    await renderQueue();
    if (!views.list.hidden) await renderList();
  }

  /* --- sync ----------------------------------------------------------------------------- */

  async function freshToken() {
    const response = await fetch(URLS.csrf, {credentials: "same-origin", redirect: "manual",
                                             cache: "no-store", headers: {Accept: "application/json"}});
    if (signedOut(response) || !isJson(response)) return null;
    return (await response.json()).csrf_token;
  }

  async function sendOne(record, token) {
    const response = await fetch(record.kind === "interview" ? URLS.interviews : URLS.contacts, {
      method: "POST", credentials: "same-origin", redirect: "manual", cache: "no-store",
      headers: {"Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token},
      body: JSON.stringify(record.payload)});
    if (response.status === 200 || response.status === 201) {
      Object.assign(record, {state: "sent", message: "", sent_at: nowIso()});
      return "ok";
    }
    if (signedOut(response)) { record.message = T.sign_in; return "signed_out"; }
    if ([404, 409, 422].includes(response.status) && isJson(response)) {
      const body = await response.json();
      Object.assign(record, {state: "refused", code: body.code, message: body.message || body.code});
      return "refused";
    }
    record.message = T.retry_later + " (" + response.status + ")";
    return "retry";
  }

  async function runSync() {
    const waiting = (await idb.all("outbox")).filter((r) => r.state === "waiting")
      .sort((a, b) => (a.created_at < b.created_at ? -1 : 1));
    if (!waiting.length) return;
    if (!navigator.onLine) { notice(T.offline_queued); return; }
    let token;
    try {
      token = await freshToken();
    } catch (error) {
      notice(T.offline_queued);
      return;
    }
    if (!token) { notice(T.sign_in); return; }
    let stopped = false;
    for (const record of waiting) {
      let outcome;
      try {
        outcome = await sendOne(record, token);
      } catch (error) {
        notice(T.offline_queued);
        return;
      }
      await idb.put("outbox", record);
      if (outcome === "signed_out") { notice(T.sign_in); return; }
      if (outcome === "retry") { notice(record.message); stopped = true; break; }
    }
    if (!stopped) notice(T.sent_all);
  }

  let syncing = null;
  function sync() {
    if (!syncing) {
      // One sync at a time across this phone's tabs, where the browser can lock.
      const run = navigator.locks ? navigator.locks.request("kexue-capi-sync", runSync) : runSync();
      syncing = run.catch(() => {}).then(refresh).finally(() => { syncing = null; });
    }
    return syncing;
  }
  window.kexueCapiSync = sync;

  /* --- start ---------------------------------------------------------------------------- */

  async function init() {
    showOnline();
    window.addEventListener("online", () => { showOnline(); sync(); });
    window.addEventListener("offline", showOnline);
    $("capi-send").addEventListener("click", () => sync());
    $("capi-show-queue").addEventListener("click", async () => { await renderQueue(); show("queue"); });
    $("capi-show-list").addEventListener("click", async () => {
      if (draft) { leavePage(); await saveDraft(); draft = null; }
      show("list");
      await renderList();
    });
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(URLS.sw, {scope: URLS.scope}).catch(() => {});
    }
    pkg = await loadPackage();
    await renderList();
    await renderQueue();
    root.dataset.ready = "1";
    sync();
  }

  init();
}());
