/**
 * The site's stylesheet and its one script (search on the index page). Colours: text #1b1f24, muted #4f5964 and
 * links #0b57d0 on white, white on the #1b1f24 header — every pair above WCAG AA's 4.5:1 (the browser test
 * measures the rendered pages with axe-core). The script only filters rows that are already in the page: without
 * it, the page is complete.
 */

export const SITE_CSS = `:root {
  --text: #1b1f24;
  --muted: #4f5964;
  --link: #0b57d0;
  --line: #d0d7de;
  --panel: #f6f8fa;
  --warn: #9a3412;
  --bar: #1f5fa8;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--text);
  background: #fff;
  line-height: 1.45;
}
body { margin: 0; }
a { color: var(--link); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; overflow-wrap: anywhere; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: 0.5rem; z-index: 10; }
.top { display: flex; gap: 2rem; align-items: center; background: #1b1f24; color: #fff; padding: 0.6rem 1.5rem; }
.top a { color: #fff; }
.brand { font-weight: 700; text-decoration: none; }
.top ul { display: flex; gap: 1.2rem; list-style: none; margin: 0; padding: 0; flex-wrap: wrap; }
main { padding: 1rem 1.5rem 2rem; max-width: 1400px; }
.foot { border-top: 1px solid var(--line); color: var(--muted); padding: 0.5rem 1.5rem; font-size: 0.85rem; }
h1 { margin: 0.4rem 0; font-size: 1.7rem; }
h2 { margin-top: 1.8rem; border-bottom: 1px solid var(--line); padding-bottom: 0.2rem; }
.lead { font-size: 1.05rem; max-width: 70rem; }
.kicker { text-transform: uppercase; letter-spacing: 0.05em; font-size: 0.8rem; color: var(--muted); margin: 0; }
.muted { color: var(--muted); font-weight: normal; }
.warn { color: var(--warn); font-weight: 600; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.92rem; }
th, td { border: 1px solid var(--line); padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
thead th { background: var(--panel); }
.scroll { overflow-x: auto; }
ul.compact { margin: 0; padding-left: 1rem; }
ul.inline { display: flex; gap: 1.5rem; list-style: none; padding: 0; flex-wrap: wrap; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0.5rem 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.search { margin: 1rem 0; display: flex; gap: 0.8rem; align-items: center; flex-wrap: wrap; }
.search input { font-size: 1rem; padding: 0.35rem 0.5rem; min-width: 18rem; border: 1px solid #6e7781; border-radius: 4px; }
.search p { margin: 0; color: var(--muted); }
.monitor { border: 1px solid var(--line); border-radius: 6px; padding: 0.2rem 1rem 0.6rem; margin: 0.8rem 0; }
.monitor h3 { font-size: 1.05rem; }
details summary { cursor: pointer; color: var(--link); }
.message { border-left: 4px solid var(--line); padding: 0 1rem; background: var(--panel); margin-top: 0.5rem; }
.cheat { max-width: 70rem; }
.dash-meta { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 0 1rem; margin: 0.8rem 0; }
.group { border: 1px solid var(--line); border-radius: 6px; margin: 1.2rem 0; padding: 0 1rem 1rem; }
.group > h2 { border: none; margin-top: 0.8rem; }
.widgets { display: grid; grid-template-columns: repeat(auto-fill, minmax(470px, 1fr)); gap: 1rem; }
.widget { border: 1px solid var(--line); border-radius: 4px; padding: 0.4rem 0.8rem; background: #fff; overflow-x: auto; }
.widget.wide { grid-column: 1 / -1; }
.widget h3 { font-size: 1rem; margin: 0.3rem 0; }
.note h4 { font-size: 1.05rem; }
figure { margin: 0; }
svg.chart { max-width: 100%; height: auto; }
svg.chart .plot { fill: #fff; stroke: var(--line); }
svg.chart .grid { stroke: #eaeef2; }
svg.chart .axis { font-size: 11px; fill: var(--muted); }
svg.chart .series { fill: none; stroke-width: 2; }
svg.chart .marker { stroke-dasharray: 5 4; stroke-width: 1.5; }
svg.chart .deploy { stroke: #6e7781; stroke-dasharray: 2 3; }
ul.legend { list-style: none; padding: 0; margin: 0.2rem 0; display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; font-size: 0.85rem; }
.swatch { display: inline-block; width: 0.9rem; height: 0.3rem; margin-right: 0.3rem; vertical-align: middle; }
table.toplist td { min-width: 12rem; }
.bar { display: inline-block; height: 0.6rem; background: var(--bar); margin-right: 0.4rem; vertical-align: middle; }
[hidden] { display: none !important; }
`;

export const SEARCH_JS = `// Filters the index's service rows as you type (also ?q=… in the address). Rows stay in the page without it.
(function () {
  var input = document.getElementById('q');
  var count = document.getElementById('count');
  if (!input || !count) return;
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr[data-search]'));
  var teams = Array.prototype.slice.call(document.querySelectorAll('section.team'));
  function run() {
    var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute('data-search');
      var hit = words.every(function (w) { return text.indexOf(w) >= 0; });
      row.hidden = !hit;
      if (hit) shown++;
    });
    teams.forEach(function (team) {
      team.hidden = !team.querySelector('tr[data-search]:not([hidden])');
    });
    count.textContent = words.length ? shown + ' of ' + rows.length + ' services match' : rows.length + ' services';
  }
  var initial = new URLSearchParams(window.location.search).get('q');
  if (initial) input.value = initial;
  input.addEventListener('input', run);
  run();
})();
`;
