// The widget's core flows in Firefox (Gecko) and WebKit (Safari's engine), the engines
// about a third of visitors use: each kind in each display mode answered by pointer,
// a keyboard-only answer, delivery through a collector whose first post fails, and the
// gallery under the strict CSP with Trusted Types. Chromium runs these and much more
// through Playwright (tests/e2e); this file is what every engine must do.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ENGINES, waitUntil } from "./drivers.mjs";
import { startServer, waitForPosts } from "../e2e/support/server.mjs";

/** The group a score belongs to, from the published scale rules, not from the code. */
function expectedGroup(kind, score) {
  if (kind === "nps") return score <= 6 ? "detractor" : score <= 8 ? "passive" : "promoter";
  if (kind === "csat") return score <= 2 ? "low" : score === 3 ? "neutral" : "high";
  return score <= 3 ? "low" : score === 4 ? "neutral" : "high";
}

const mountUrl = (server, config) =>
  `${server.url}/test/mount.html#${encodeURIComponent(JSON.stringify({ endpoint: "/api/responses", ...config }))}`;

async function mount(driver, server, config) {
  await driver.goto(mountUrl(server, config));
  await waitUntil(driver, "window.survey !== undefined || window.mountError", "mount()");
  assert.equal(await driver.run("window.mountError"), null);
}

/** Whether the element the expression names lies wholly inside the viewport. */
const insideViewport = (expression) => `(() => {
  const box = (${expression}).getBoundingClientRect();
  return box.width > 0 && box.left >= 0 && box.top >= 0 && box.right <= innerWidth && box.bottom <= innerHeight;
})()`;

const SCORES = { nps: 9, csat: 2, ces: 4 };

for (const engine of Object.keys(ENGINES)) {
  describe(engine, () => {
    let driver;
    let server;
    before(async () => { driver = await ENGINES[engine](); });
    after(async () => { await driver?.close(); });

    async function withServer(options, body) {
      server = await startServer(options);
      try { await body(); } finally { await server.close(); }
    }

    for (const kind of ["nps", "csat", "ces"]) {
      for (const display of ["inline", "modal", "slide-in"]) {
        test(`${kind} ${display}: answered by pointer, a partial then the complete response`, () => withServer({}, async () => {
          const score = SCORES[kind];
          const surveyId = `${engine}-${kind}-${display}`;
          await mount(driver, server, { kind, display, id: surveyId, reasons: ["Price", "Support", "Speed"], metadata: { ticket: 7 } });
          await waitUntil(driver, "find('[role=radio]')", "the scale");
          assert.equal(await driver.run("findAll('[role=radio]').length"), kind === "nps" ? 11 : kind === "csat" ? 5 : 7);
          assert.ok(await driver.run(insideViewport("find('button', 'Close')")), "× inside the viewport before answering");
          await driver.click(`find('[role=radio][data-score="${score}"]')`);
          await waitUntil(driver, `find('[role=radio][data-score="${score}"]').getAttribute('aria-checked') === 'true'`, "the chosen point checked");
          await waitForPosts(server.posts, (p) => p.length >= 1);
          await driver.click("find('button', 'Speed')");
          await driver.click("find('button', 'Price')");
          await driver.click("find('textarea')");
          await driver.type("Quick <b>and</b> kind");
          assert.ok(await driver.run(insideViewport("find('button', 'Send')")), "Send inside the viewport");
          assert.ok(await driver.run(insideViewport("find('button', 'Close')")), "× inside the viewport after answering");
          await driver.click("find('button', 'Send')");
          await waitForPosts(server.posts, (p) => p.some((x) => x.body.complete));
          await waitUntil(driver, "find('[role=status]').textContent.trim().length > 0", "the thank-you");
          const [partial, final] = [server.posts[0].body, server.posts.at(-1).body];
          for (const body of [partial, final]) {
            assert.equal(body.surveyId, surveyId);
            assert.equal(body.kind, kind);
            assert.equal(body.score, score);
            assert.equal(body.group, expectedGroup(kind, score));
            assert.deepEqual(body.metadata, { ticket: "7" });
          }
          assert.equal(partial.complete, false);
          assert.equal(final.complete, true);
          assert.equal(final.id, partial.id);
          // Reasons in the config's order, whatever order they were clicked in; text stays text.
          assert.deepEqual(final.reasons, ["Price", "Speed"]);
          assert.equal(final.comment, "Quick <b>and</b> kind");
          assert.equal(await driver.run("findAll('b').length"), 0);
        }));
      }
    }

    test("answered by keyboard alone: one tab stop in the scale, arrows choose, Enter sends", () => withServer({}, async () => {
      await mount(driver, server, { kind: "nps", id: `${engine}-keyboard` });
      await driver.run("document.getElementById('before').focus()");
      await driver.press("Tab");
      assert.equal(await driver.run("nameOf(focused())"), "Close");
      await driver.press("Tab");
      assert.equal(await driver.run("focused().dataset.score"), "0");
      for (let i = 0; i < 3; i++) await driver.press("ArrowRight");
      await driver.press("ArrowLeft");
      await waitUntil(driver, "find('[role=radio][data-score=\"2\"]').getAttribute('aria-checked') === 'true'", "2 chosen by arrows");
      await driver.press("End");
      await driver.press("ArrowLeft");
      assert.equal(await driver.run("focused().dataset.score"), "9");
      await driver.press("Home");
      for (let i = 0; i < 3; i++) await driver.press("ArrowRight");
      await waitUntil(driver, "find('[role=radio][data-score=\"3\"]').getAttribute('aria-checked') === 'true'", "3 chosen by arrows");
      await driver.press("Tab");
      assert.equal(await driver.run("focused().tagName"), "TEXTAREA");
      await driver.type("Slow answer");
      await driver.press("Tab");
      assert.equal(await driver.run("nameOf(focused())"), "Send");
      await driver.press("Enter");
      await waitForPosts(server.posts, (p) => p.some((x) => x.body.complete));
      const final = server.posts.at(-1).body;
      assert.equal(final.score, 3);
      assert.equal(final.group, "detractor");
      assert.equal(final.comment, "Slow answer");
      // Settled choices post, passing through points by arrow does not post each one.
      assert.ok(server.posts.length <= 4, `posts: ${server.posts.map((p) => p.body.score)}`);
    }));

    test("in Hebrew, from its language pack, the scale runs right to left and the arrows follow it", () => withServer({}, async () => {
      await mount(driver, server, { kind: "nps", id: `${engine}-rtl`, locale: "he", followUp: false });
      await waitUntil(driver, "find('.card') && find('.card').dir === 'rtl' && find('.card').lang === 'he'", "the Hebrew card");
      assert.equal(await driver.run("find('#q').textContent"), "מה הסיכוי שתמליצו עלינו לחבר או לעמית?");
      const x = (score) => driver.run(`find('[role=radio][data-score="${score}"]').getBoundingClientRect().left`);
      assert.ok((await x(0)) > (await x(1)), "0 is drawn right of 1");
      await driver.run("find('[role=radio][data-score=\"0\"]').focus()");
      await driver.press("ArrowLeft");
      await waitUntil(driver, "find('[role=radio][data-score=\"1\"]').getAttribute('aria-checked') === 'true'", "ArrowLeft chose 1");
    }));

    test("a slide-in that starts to scroll when the follow-up opens keeps its scale where it was", () => withServer({}, async () => {
      await driver.resize(480, 520);
      try {
        await mount(driver, server, { kind: "ces", id: `${engine}-gutter`, display: "slide-in", locale: "de", reasons: ["Preis", "Kundenservice", "Geschwindigkeit", "Benutzerfreundlichkeit"] });
        await waitUntil(driver, "find('.card') && find('.card').lang === 'de'", "the German card");
        const box = () => driver.run("(({ left, width }) => [left, width])(find('.scale').getBoundingClientRect())");
        const before = await box();
        await driver.click("find('[role=radio][data-score=\"2\"]')");
        await waitUntil(driver, "find('textarea').getBoundingClientRect().height > 0", "the follow-up");
        assert.ok(await driver.run("find('.card').scrollHeight > find('.card').clientHeight"), "the card scrolls now");
        const after = await box();
        // Classic scrollbars (Firefox on Linux) take width when they appear: the space is kept from the start.
        assert.ok(Math.abs(after[0] - before[0]) < 0.5 && Math.abs(after[1] - before[1]) < 0.5, `scale ${before} → ${after}`);
      } finally {
        await driver.resize(1280, 800);
      }
    }));

    test("Escape closes a modal and gives the focus back", () => withServer({}, async () => {
      await driver.goto(`${server.url}/test/mount.html`);
      await waitUntil(driver, "window.ready", "the page");
      await driver.run("document.getElementById('before').focus()");
      await driver.run(`(location.hash = ${JSON.stringify(encodeURIComponent(JSON.stringify({ kind: "csat", display: "modal", id: `${engine}-escape`, endpoint: "/api/responses" })))}, window.mountFromHash())`);
      await waitUntil(driver, "find('[role=dialog]') && find('[role=dialog]').contains(focused())", "focus inside the dialog");
      await driver.press("Escape");
      await waitUntil(driver, "!find('[role=dialog]') || find('[role=dialog]').getBoundingClientRect().width === 0", "the modal closed");
      assert.equal(await driver.run("focused()?.id"), "before");
    }));

    test("a collector that refuses the first post still gets every answer, once per id", () => withServer({ failFirst: 1 }, async () => {
      await mount(driver, server, { kind: "csat", id: `${engine}-retry`, followUp: false });
      await driver.click("find('[role=radio][data-score=\"5\"]')");
      await waitForPosts(server.posts, (p) => p.some((x) => x.body.complete), 20_000);
      assert.equal(server.refused.length, 1);
      const ids = new Set([...server.refused, ...server.posts.map((p) => p.body)].map((b) => b.id));
      assert.equal(ids.size, 1, "one response id across the refused post and its retries");
      const final = server.posts.at(-1).body;
      assert.equal(final.score, 5);
      assert.equal(final.group, "high");
    }));

    test("an answer given while the collector is down is kept across a reload and sent when it is back", () => withServer({}, async () => {
      server.setDown(true);
      await mount(driver, server, { kind: "nps", id: `${engine}-offline`, followUp: false, delivery: { partial: false, maxAttempts: 1 } });
      await driver.click("find('[role=radio][data-score=\"6\"]')");
      await waitUntil(driver, "window.survey.pending() === 1", "the answer parked in the queue");
      // The answer is queued (pending) before its one attempt reaches the collector: wait for that attempt.
      await waitForPosts(server.refused, (refused) => refused.length >= 1);
      assert.equal(server.refused.length, 1);
      assert.match(await driver.run("localStorage.getItem('sondeo:queue:/api/responses') ?? ''"), new RegExp(server.refused[0].id));
      server.setDown(false);
      // The next page of the site (a new load, a survey for the same endpoint) sends what was kept.
      await driver.goto(`${server.url}/test/mount.html?next#${encodeURIComponent(JSON.stringify({ kind: "csat", id: `${engine}-next`, endpoint: "/api/responses" }))}`);
      await waitForPosts(server.posts, (p) => p.some((x) => x.body.id === server.refused[0].id), 15_000);
      const sent = server.posts.find((x) => x.body.id === server.refused[0].id).body;
      assert.equal(sent.score, 6);
      assert.equal(sent.complete, true);
      assert.equal(sent.group, "detractor");
      await waitUntil(driver, "window.survey && window.survey.pending() === 0", "the queue emptied");
    }));

    test("the post-ticket page records the emailed score once a person is there, says so, and asks why", () => withServer({}, async () => {
      await driver.goto(`${server.url}/ticket.html?kind=csat&score=4&ticketId=123&agent=ana`);
      await waitUntil(driver, "findAll('[role=radio]').length === 5", "the CSAT scale");
      await new Promise((ok) => setTimeout(ok, 500));
      assert.equal(server.posts.length, 0, "nothing is recorded before a person acts (mail scanners open links)");
      await driver.press("Shift");
      await waitForPosts(server.posts, (p) => p.length >= 1);
      await waitUntil(driver, "document.getElementById('status').textContent === 'Your score of 4 was recorded. Thank you!'", "the confirmation");
      const partial = server.posts[0].body;
      assert.equal(partial.score, 4);
      assert.equal(partial.complete, false);
      assert.deepEqual(partial.metadata, { touchpoint: "support", channel: "email", ticketId: "123", agent: "ana" });
      await driver.click("find('textarea')");
      await driver.type("Ana fixed it");
      await driver.click("find('button', 'Send')");
      await waitForPosts(server.posts, (p) => p.some((x) => x.body.complete));
      const final = server.posts.at(-1).body;
      assert.equal(final.id, partial.id);
      assert.equal(final.comment, "Ana fixed it");
    }));

    test("the gallery under the strict CSP with Trusted Types: answers post, no violation is reported", () => withServer({ csp: true, reportCsp: true }, async () => {
      await driver.goto(`${server.url}/`);
      await waitUntil(driver, "within('#inline-nps', '[role=radio]', '8')", "the inline NPS");
      await driver.click("within('#inline-nps', '[role=radio]', '8')");
      await driver.click("within('#inline-nps', 'textarea')");
      await driver.type("Good, but pricey");
      await driver.click("within('#inline-nps', 'button', 'Send')");
      await driver.click("find('button', 'CSAT (faces) in a modal')");
      await waitUntil(driver, "find('[role=dialog] [role=radio][data-score=\"4\"]')", "the CSAT modal");
      await driver.click("find('[role=dialog] [role=radio][data-score=\"4\"]')");
      await waitForPosts(server.posts, (p) => p.some((x) => x.body.complete && x.body.kind === "nps") && p.some((x) => x.body.kind === "csat"));
      assert.equal(server.posts.find((x) => x.body.complete && x.body.kind === "nps").body.comment, "Good, but pricey");
      // Reports travel on their own: give them time, then none may have come from the widget.
      await new Promise((ok) => setTimeout(ok, 1000));
      assert.deepEqual(server.cspReports, []);
      // The policy really is on, and reports really arrive: the page's own inline style is refused and reported.
      await driver.run("(() => { const probe = document.createElement('div'); probe.setAttribute('style', 'color: red'); document.body.append(probe); return getComputedStyle(probe).color; })()");
      await waitForPosts(server.cspReports, (r) => r.length >= 1);
      // Where the engine enforces Trusted Types, the page's own innerHTML is refused too.
      const enforced = await driver.run("'trustedTypes' in window ? (() => { try { document.createElement('div').innerHTML = '<b>x</b>'; return false; } catch { return true; } })() : 'not supported'");
      assert.notEqual(enforced, false);
    }));
  });
}
