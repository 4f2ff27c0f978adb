/// The one stylesheet of the dashboard and the HTML reports, so a report printed from either reads the same.
/// A literal: it enters pages through `HTML.style`, which takes nothing else.
public enum Stylesheet {
    public static let css: StaticString = """
        body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#fff}
        body.report{font-size:14px;max-width:60rem;margin:2rem auto;padding:0 1rem}
        header{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;padding:.6rem 1rem;background:#0d1b2a;color:#fff}
        header nav{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center}header a{color:#cfe3ff}
        header a[aria-current]{color:#fff;font-weight:600;text-decoration:underline}.who{opacity:.8;margin-left:auto}
        header form{display:inline}main{max-width:72rem;margin:0 auto;padding:1rem}
        table{border-collapse:collapse;width:100%;margin:.5rem 0 1.25rem}th,td{border-bottom:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
        th{background:#f6f8fa}.pass{color:#116329;font-weight:600}.fail{color:#a40e26;font-weight:600}.insufficient_data{color:#7d4e00}
        .badge{display:inline-block;padding:.1rem .5rem;border-radius:1rem;background:#eaeef2}.ready{background:#dafbe1}.notready{background:#fff1e5}
        .flash{max-width:72rem;margin:.75rem auto 0;padding:.5rem 1rem;background:#ddf4ff;border-radius:.3rem}
        form.inline{display:inline-flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:.25rem .5rem .25rem 0}
        input,button{font:inherit;padding:.25rem .5rem}button{cursor:pointer}.danger{background:#a40e26;color:#fff;border:0;border-radius:.25rem}
        .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,24rem),1fr));gap:.75rem}.card{border:1px solid #d0d7de;border-radius:.4rem;padding:.6rem}
        .card h2{font-size:1rem;margin:.1rem 0 .4rem;overflow-wrap:anywhere}
        meter{width:6rem;vertical-align:middle}.spark{vertical-align:middle}.chart{overflow-x:auto}
        @media (max-width:640px){th,td{padding:.25rem}table{font-size:13px;display:block;overflow-x:auto}.who{margin-left:0}input{max-width:100%;min-width:0}h1,h2,h3,p,li{overflow-wrap:anywhere}.chart svg{min-width:520px}.chart svg.timeline{min-width:760px}}
        @media print{body.report{margin:0;max-width:none}header,form,script{display:none}h2{break-after:avoid}table{break-inside:avoid}}
        """
}
