// The components' stylesheets, rendered inside them (no CSS import, no framework). Everything is scoped under
// .mcpdir-tab (the MetricsTab, and the ServersTable too) and themed with CSS variables: override any --mcpdir-*
// on a parent to restyle both. Dark mode follows the system, or set data-theme="dark" / "light" on the
// component or an ancestor.

/** Theme variables, dark mode and what the tab and the servers table share (controls, tables, states). */
export const THEME_CSS = `
.mcpdir-tab{--mcpdir-bg:#fff;--mcpdir-fg:#1b1f24;--mcpdir-muted:#5b6470;--mcpdir-border:#d8dee4;--mcpdir-card:#f6f8fa;
--mcpdir-accent:#2563eb;--mcpdir-good:#15803d;--mcpdir-bad:#b91c1c;--mcpdir-c1:#2563eb;--mcpdir-c2:#d97706;--mcpdir-c3:#9333ea;--mcpdir-c4:#b91c1c;
--mcpdir-radius:8px;font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--mcpdir-fg);background:var(--mcpdir-bg)}
@media (prefers-color-scheme:dark){.mcpdir-tab:not([data-theme=light]){--mcpdir-bg:#0d1117;--mcpdir-fg:#e6edf3;--mcpdir-muted:#9aa4af;
--mcpdir-border:#30363d;--mcpdir-card:#161b22;--mcpdir-accent:#58a6ff;--mcpdir-good:#3fb950;--mcpdir-bad:#f85149;--mcpdir-c1:#58a6ff;--mcpdir-c2:#e3b341;--mcpdir-c3:#bc8cff;--mcpdir-c4:#f85149}}
[data-theme=dark] .mcpdir-tab,.mcpdir-tab[data-theme=dark]{--mcpdir-bg:#0d1117;--mcpdir-fg:#e6edf3;--mcpdir-muted:#9aa4af;--mcpdir-border:#30363d;
--mcpdir-card:#161b22;--mcpdir-accent:#58a6ff;--mcpdir-good:#3fb950;--mcpdir-bad:#f85149;--mcpdir-c1:#58a6ff;--mcpdir-c2:#e3b341;--mcpdir-c3:#bc8cff;--mcpdir-c4:#f85149}
.mcpdir-tab *{box-sizing:border-box}
.mcpdir-head{display:flex;flex-wrap:wrap;gap:8px;align-items:center;justify-content:space-between;margin-bottom:12px}
.mcpdir-head h2{font-size:16px;margin:0}.mcpdir-muted{color:var(--mcpdir-muted);font-size:12px}
.mcpdir-periods{display:inline-flex;border:1px solid var(--mcpdir-border);border-radius:var(--mcpdir-radius);overflow:hidden}
.mcpdir-periods button{font:inherit;border:0;background:none;color:inherit;padding:4px 10px;cursor:pointer}
.mcpdir-periods button[aria-checked=true]{background:var(--mcpdir-accent);color:#fff}
.mcpdir-periods button:focus-visible,.mcpdir-tab button:focus-visible,.mcpdir-tab summary:focus-visible{outline:2px solid var(--mcpdir-accent);outline-offset:2px}
.mcpdir-change{font-size:12px;margin-left:6px;font-weight:400}.mcpdir-up{color:var(--mcpdir-good)}.mcpdir-down{color:var(--mcpdir-bad)}
.mcpdir-tab table{width:100%;border-collapse:collapse;font-size:13px}.mcpdir-tab th,.mcpdir-tab td{text-align:right;padding:4px 6px;border-bottom:1px solid var(--mcpdir-border)}
.mcpdir-tab th:first-child,.mcpdir-tab td:first-child{text-align:left}.mcpdir-tab details{margin-top:6px;font-size:12px}
.mcpdir-empty,.mcpdir-error{border:1px dashed var(--mcpdir-border);border-radius:var(--mcpdir-radius);padding:16px}
.mcpdir-btn{font:inherit;border:1px solid var(--mcpdir-border);background:var(--mcpdir-card);color:inherit;border-radius:6px;padding:4px 12px;cursor:pointer}
.mcpdir-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`

/** The MetricsTab's stylesheet. */
export const TAB_CSS = `${THEME_CSS}.mcpdir-cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px;margin-bottom:16px}
.mcpdir-card{background:var(--mcpdir-card);border:1px solid var(--mcpdir-border);border-radius:var(--mcpdir-radius);padding:10px}
.mcpdir-card dt{font-size:12px;color:var(--mcpdir-muted)}.mcpdir-card dd{margin:2px 0 0;font-size:20px;font-weight:600}
.mcpdir-card svg{display:block;width:100%;height:24px;margin-top:4px}
.mcpdir-panel{border:1px solid var(--mcpdir-border);border-radius:var(--mcpdir-radius);padding:10px;margin-bottom:16px}
.mcpdir-panel h3{font-size:14px;margin:0 0 8px}.mcpdir-chart{min-height:180px;position:relative}
.mcpdir-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:16px}
.mcpdir-events{list-style:none;padding:0;margin:0;font-size:13px}.mcpdir-events li{padding:2px 0}
.mcpdir-skeleton{background:var(--mcpdir-card);border-radius:var(--mcpdir-radius);height:72px;animation:mcpdir-pulse 1.2s ease-in-out infinite}
@keyframes mcpdir-pulse{50%{opacity:.5}}@media (prefers-reduced-motion:reduce){.mcpdir-skeleton{animation:none}}
.mcpdir-empty pre{background:var(--mcpdir-card);padding:8px;border-radius:6px;overflow:auto;font-size:12px}
.mcpdir-live{display:inline-flex;align-items:center;gap:4px;font-size:12px;color:var(--mcpdir-muted)}
.mcpdir-live::before{content:"";width:8px;height:8px;border-radius:50%;background:var(--mcpdir-muted)}.mcpdir-live[data-on=true]::before{background:var(--mcpdir-good)}
.uplot,.uplot *,.uplot *::before,.uplot *::after{box-sizing:border-box}.uplot{font-size:11px;line-height:1.5;width:min-content}
.u-wrap{position:relative;user-select:none}.u-over,.u-under{position:absolute}.uplot canvas{display:block;position:relative;width:100%;height:100%}
.u-axis{position:absolute}.u-legend{font-size:12px;margin:4px auto 0;text-align:center}.u-inline{display:block}.u-inline *{display:inline-block}
.u-inline tr{margin-right:12px}.u-legend th{font-weight:600}.u-legend .u-marker{width:1em;height:1em;margin-right:4px;background-clip:padding-box!important}
.u-inline.u-live th::after{content:":";vertical-align:middle}.u-inline:not(.u-live) .u-value{display:none}.u-series>*{padding:4px}.u-series th{cursor:pointer}
.u-legend .u-off>*{opacity:.3}.u-select{background:rgba(0,0,0,.07);position:absolute;pointer-events:none}.u-cursor-x,.u-cursor-y{position:absolute;left:0;top:0;pointer-events:none;will-change:transform}
.u-hz .u-cursor-x,.u-vt .u-cursor-y{height:100%;border-right:1px dashed #607d8b}.u-hz .u-cursor-y,.u-vt .u-cursor-x{width:100%;border-bottom:1px dashed #607d8b}
.u-cursor-pt{position:absolute;top:0;left:0;border-radius:50%;border:0 solid;pointer-events:none;will-change:transform;background-clip:padding-box!important}
.u-axis.u-off,.u-select.u-off,.u-cursor-x.u-off,.u-cursor-y.u-off,.u-cursor-pt.u-off{display:none}
`

/** The ServersTable's stylesheet. */
export const SERVERS_CSS = `${THEME_CSS}.mcpdir-servers .mcpdir-search{font:inherit;color:inherit;background:var(--mcpdir-bg);border:1px solid var(--mcpdir-border);border-radius:6px;padding:4px 8px;min-width:200px}
.mcpdir-servers .mcpdir-search:focus-visible,.mcpdir-servers a:focus-visible{outline:2px solid var(--mcpdir-accent);outline-offset:2px}
.mcpdir-servers th[scope=col]{white-space:nowrap}.mcpdir-sort{font:inherit;font-weight:600;border:0;background:none;color:inherit;padding:0;cursor:pointer}
.mcpdir-sort[data-active=true]{color:var(--mcpdir-accent)}.mcpdir-sort span{display:inline-block;width:1em;font-size:10px}
.mcpdir-servers td .mcpdir-change{display:block;margin:0}.mcpdir-servers tbody tr:hover{background:var(--mcpdir-card)}
.mcpdir-servers a{color:var(--mcpdir-accent)}.mcpdir-more{display:flex;gap:8px;align-items:center;justify-content:center;margin-top:12px}
.mcpdir-servers[aria-busy=true] tbody{opacity:.6}
`
