/** The page's stylesheet: mobile first (one column), two columns from 900 px; system fonts only. */
export const PAGE_CSS = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"PingFang TC","PingFang SC","Noto Sans CJK TC","Noto Sans CJK SC","Microsoft JhengHei","Microsoft YaHei",sans-serif;color:#1d2733;background:#f3f5f7;overflow-wrap:anywhere}
.top{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:space-between;padding:.75rem 1rem;background:#16324f;color:#fff}
.top .site{margin:0;font-weight:600}
.languages ul{display:flex;gap:.75rem;list-style:none;margin:0;padding:0;font-size:.95rem}
.languages a{color:#cfe3ff}
.languages [aria-current]{font-weight:700;text-decoration:underline}
main{display:grid;gap:1rem;padding:1rem;max-width:1200px;margin:0 auto}
.card{background:#fff;border-radius:.75rem;padding:1rem;box-shadow:0 1px 3px rgba(0,0,0,.08);min-width:0}
h1{font-size:1.4rem;margin:0 0 .75rem}
h2{font-size:1.15rem;margin:0 0 .75rem}
h3{font-size:1rem;margin:.1rem 0 .25rem}
dl{margin:0}
.product dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem .75rem}
.product dt{color:#5a6b7b}
.product dd{margin:0}
.facts dl{display:grid;gap:.5rem}
.fact{border-left:4px solid #2f80ed;padding:.25rem .75rem;background:#f7fafd}
.fact[data-known="false"]{border-left-color:#b0b8c1}
.fact dt{font-weight:600}
.fact dd{margin:0;display:flex;flex-direction:column}
.fact .by{font-size:.85rem;color:#5a6b7b}
.fact .unknown,.fact dd.unknown{color:#6b7785;font-style:italic}
.verify label{display:block;font-weight:600;margin:.5rem 0 .25rem}
.verify input{width:100%;font:inherit;padding:.6rem;border:1px solid #9aa8b6;border-radius:.5rem}
.verify button{margin-top:.75rem;width:100%;font:inherit;font-weight:600;padding:.8rem 1rem;border:0;border-radius:.5rem;background:#1b7f3b;color:#fff;cursor:pointer}
.verify button[disabled]{background:#7a8c80;cursor:wait}
#verify-status{font-weight:600;min-height:1.5em}
.chosen-rpc{font-weight:600;border-left:4px solid #b45309;padding-left:.6em;overflow-wrap:anywhere}
.steps{list-style:none;margin:0;padding:0;display:grid;gap:.75rem}
.step{border:1px solid #dde3ea;border-left:6px solid #b0b8c1;border-radius:.5rem;padding:.75rem}
.step time{font-size:.85rem;color:#5a6b7b}
.step p{margin:.2rem 0}
.step .where span,.step code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem}
.step .who,.step .anchor{font-size:.9rem;color:#44525f}
.badge{display:inline-block;padding:0 .5rem;border-radius:1rem;font-size:.85rem;font-weight:600;background:#e6ebf0}
.step[data-status="verified"] .verdict.hub .badge{background:#d8f3e0;color:#14592b}
.step[data-status="failed"] .verdict.hub .badge{background:#fbdcdc;color:#8a1c1c}
.step[data-browser="verified"]{border-left-color:#1b7f3b;background:#f1fbf4}
.step[data-browser="failed"],.step[data-browser="revoked"]{border-left-color:#c62828;background:#fdf1f1}
.step[data-browser="verified"] .verdict.browser .badge{background:#1b7f3b;color:#fff}
.step[data-browser="failed"] .verdict.browser .badge,.step[data-browser="revoked"] .verdict.browser .badge{background:#c62828;color:#fff}
.cert[data-cert="valid"] .badge{background:#d8f3e0;color:#14592b}
.cert[data-cert="revoked"] .badge,.cert[data-cert="expired"] .badge{background:#c62828;color:#fff}
.kind{display:inline-block;padding:0 .45rem;border-radius:1rem;font-size:.75rem;font-weight:600;background:#e8eef8;color:#1f4a7a;white-space:nowrap}
.kind[data-kind="brand"]{background:#16324f;color:#fff}
.kind[data-kind="certifier"]{background:#efe5fb;color:#4b2a7a}
.who-may-speak{font-size:.8rem;color:#5a6b7b;margin:.5rem 0 0}
.reasons{margin:.25rem 0;padding-left:1.2rem;font-size:.85rem;color:#8a1c1c}
.warning{background:#fff4e5;border:2px solid #e65100}
.warning h2{color:#b23c00}
.chain{padding:1rem;max-width:1200px;margin:0 auto;font-size:.85rem;color:#44525f}
.chain dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem .75rem}
.chain dd{margin:0}
@media (min-width:900px){
main{grid-template-columns:minmax(0,2fr) minmax(0,3fr);align-items:start}
.warning{grid-column:1/-1}
.product,.facts,.verify,.scans{grid-column:1}
.timeline{grid-column:2;grid-row:1/span 5}
.warning~.timeline{grid-row:2/span 5}
}
`;
