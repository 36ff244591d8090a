// Checks trust reports in the system Chromium, driven by puppeteer-core:
//   node .ci/browser-check.mjs axe REPORT.html...
//     axe-core (every rule it runs by default, any impact) must find no
//     violation; no two texts of a chart may overlap; with JavaScript off
//     the verdict is there and every in-page link has its target.
//     Prints one summary line per report; exits 1 on any finding.
//   node .ci/browser-check.mjs charts REPORT.html...
//     a classifier's report: its model section has the three charts (the
//     confusion matrix, the ROC curve, the reliability diagram), each
//     rendered with a non-empty box, a <desc>, and marks (cells, curves,
//     points) with non-empty boxes; with JavaScript off too. Screenshots
//     of the charts go beside each report (NAME-charts.png).
//   node .ci/browser-check.mjs shot REPORT.html SELECTOR OUT.png [WIDTH]
//     screenshots the element SELECTOR (a table, the header) at WIDTH px.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import puppeteer from 'puppeteer-core';

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

const browser = await puppeteer.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  protocolTimeout: 60000,
});
const url = (f) => 'file://' + path.resolve(f);
let failed = false;

try {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'axe') {
    for (const file of args) failed = !(await check(file)) || failed;
  } else if (mode === 'charts') {
    for (const file of args) failed = !(await charts(file)) || failed;
  } else if (mode === 'shot') {
    const [file, selector, out, width] = args;
    const page = await browser.newPage();
    await page.setViewport({ width: Number(width || 1280), height: 900 });
    await page.goto(url(file), { waitUntil: 'load' });
    const el = await page.$(selector);
    if (!el) throw new Error(`${file}: no element ${selector}`);
    await el.screenshot({ path: out });
    console.log(`${out}: ${selector} of ${file}`);
  } else {
    throw new Error('usage: browser-check.mjs axe REPORT... | charts REPORT... | shot REPORT SELECTOR OUT.png [WIDTH]');
  }
} catch (e) {
  console.error(String(e && e.stack || e));
  failed = true;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);

async function check(file) {
  const name = path.basename(file);
  let ok = true;

  // axe-core needs script; the report itself has none.
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(url(file), { waitUntil: 'load' });
  await page.addScriptTag({ content: axeSource });
  const res = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return {
      version: window.axe.version,
      rules: r.passes.length + r.violations.length + r.incomplete.length + r.inapplicable.length,
      violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) })),
    };
  });
  const byImpact = {};
  for (const v of res.violations) byImpact[v.impact] = (byImpact[v.impact] || 0) + 1;
  console.log(`${name}: axe-core ${res.version}, ${res.rules} rules run, ${res.violations.length} violations` +
    (res.violations.length ? ' ' + JSON.stringify(byImpact) : ' (critical 0, serious 0, moderate 0, minor 0)'));
  for (const v of res.violations) {
    console.log(`  ${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.join('\n    ')}`);
    ok = false;
  }

  // No two texts of one chart overlap (axis titles beyond tick labels).
  const overlaps = await page.evaluate(() => {
    const out = [];
    document.querySelectorAll('svg').forEach((svg, k) => {
      const boxes = [...svg.querySelectorAll('text')].map((t) => ({ t: t.textContent, r: t.getBoundingClientRect() }));
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i].r, b = boxes[j].r;
          const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (dx > 0.5 && dy > 0.5) out.push(`chart ${k + 1}: "${boxes[i].t}" overlaps "${boxes[j].t}"`);
        }
      }
    });
    return { overlaps: out, charts: document.querySelectorAll('svg').length };
  });
  console.log(`${name}: ${overlaps.charts} charts, ${overlaps.overlaps.length} overlapping texts`);
  for (const o of overlaps.overlaps.slice(0, 10)) console.log('  ' + o);
  if (overlaps.overlaps.length) ok = false;
  await page.close();

  // With JavaScript off the report reads the same: verdict, every link's target.
  const off = await browser.newPage();
  await off.setJavaScriptEnabled(false);
  await off.goto(url(file), { waitUntil: 'load' });
  const js = await off.evaluate(() => ({
    h1: document.querySelector('h1') ? document.querySelector('h1').textContent : '',
    broken: [...document.querySelectorAll('a[href^="#"]')].map((a) => a.getAttribute('href').slice(1)).filter((id) => !document.getElementById(id)),
    links: document.querySelectorAll('a[href^="#"]').length,
  }));
  if (!/^(PASSED|FAILED)/.test(js.h1) || js.broken.length) {
    console.log(`${name}: with JavaScript off: heading "${js.h1}", links without target: ${js.broken.join(', ')}`);
    ok = false;
  } else {
    console.log(`${name}: with JavaScript off: "${js.h1}", ${js.links} in-page links all resolve`);
  }
  await off.close();
  return ok;
}

// The three charts of a classifier, as drawn with JavaScript off: each
// found by the start of its title, its box and its marks' boxes non-empty.
async function charts(file) {
  const name = path.basename(file);
  const page = await browser.newPage();
  await page.setJavaScriptEnabled(false);
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(url(file), { waitUntil: 'load' });
  const kinds = [
    { title: 'Confusion matrix', marks: 'rect', what: 'cells' },
    { title: 'ROC curve', marks: 'polyline', what: 'curves' },
    { title: 'Reliability diagram', marks: 'circle', what: 'points' },
  ];
  const found = await page.evaluate((kinds) => {
    const svgs = [...document.querySelectorAll('#model svg')];
    return kinds.map((k) => {
      const svg = svgs.find((s) => s.querySelector(':scope > title') && s.querySelector(':scope > title').textContent.startsWith(k.title));
      if (!svg) return { title: k.title, missing: true };
      const r = svg.getBoundingClientRect();
      const marks = [...svg.querySelectorAll(k.marks)].map((m) => m.getBoundingClientRect());
      return {
        title: k.title,
        full: svg.querySelector(':scope > title').textContent,
        desc: (svg.querySelector(':scope > desc') || {}).textContent || '',
        w: r.width, h: r.height,
        marks: marks.length,
        empty: marks.filter((b) => !(b.width > 0 || b.height > 0)).length,
      };
    });
  }, kinds);
  let ok = true;
  for (const [i, f] of found.entries()) {
    if (f.missing) {
      console.log(`${name}: no chart titled "${f.title}…" in the model section`);
      ok = false;
      continue;
    }
    const bad = !(f.w > 0 && f.h > 0) || f.marks === 0 || f.empty > 0 || !f.desc;
    console.log(`${name}: "${f.full}": ${Math.round(f.w)}×${Math.round(f.h)} px, ${f.marks} ${kinds[i].what}` +
      (f.empty ? `, ${f.empty} of them empty` : '') + (f.desc ? '' : ', no <desc>') + (bad ? ' FAIL' : ''));
    if (bad) ok = false;
  }
  const charts = await page.$('#model .charts');
  if (charts) {
    const out = file.replace(/\.html$/, '') + '-charts.png';
    await charts.screenshot({ path: out });
    console.log(`${name}: the model's charts in ${out}`);
  }
  await page.close();
  return ok;
}
