import { readFileSync } from 'node:fs'
import { Hono } from 'hono'
import { ApiError } from '../http/api-error'
import type { AppEnv } from '../app/app-env'

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mcpdir-metrics</title>
<link rel="icon" href="data:,">
<style>
body{margin:0;font:14px/1.4 system-ui,sans-serif;background:#fff;color:#1b1f24}
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}a{color:#58a6ff}}
main{max-width:1100px;margin:0 auto;padding:16px}table{border-collapse:collapse;width:100%}
th,td{padding:6px 8px;border-bottom:1px solid #8884;text-align:right}th:first-child{text-align:left}
caption{text-align:left;font-weight:600;padding:8px 0}.key{margin:8px 0 16px}
.badge-block{margin:24px 0}.badge-block h2{font-size:16px}.badge-block img{vertical-align:middle}
.badge-block textarea{box-sizing:border-box;width:100%;font:12px/1.4 ui-monospace,monospace}
</style>
</head>
<body>
<div id="root"><main><p>Loading…</p></main></div>
<noscript>The dashboard needs JavaScript; the API under /functions/v1/ works without it.</noscript>
<script type="module" src="/dashboard/app.js"></script>
</body>
</html>
`

let script: string | null | undefined

function loadScript(): string | null {
  try {
    return readFileSync(new URL('./dashboard/app.js', import.meta.url), 'utf8')
  } catch {
    return null
  }
}

/** `GET /`: the dashboard page, and `GET /dashboard/app.js`, its bundle (React, the MetricsTab, uPlot). */
export function dashboard() {
  return new Hono<AppEnv>()
    .get('/', (c) => {
      c.header('content-security-policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:")
      return c.html(PAGE)
    })
    .get('/dashboard/app.js', (c) => {
      script ??= loadScript()
      if (script === null) throw new ApiError(404, 'not_found', 'the dashboard bundle is not built: run the build first')
      return c.body(script, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300' })
    })
}
