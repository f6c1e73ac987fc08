// Gathers every package's bench-results/*.json into docs/benchmarks.json and docs/benchmarks.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, release, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const read = (path) => (existsSync(join(root, path)) ? JSON.parse(readFileSync(join(root, path), 'utf8')) : undefined)
const sdk = read('packages/sdk/bench-results/sdk.json')
const server = read('packages/server/bench-results/server.json')
const bundle = read('packages/react/bench-results/bundle.json')

const cpuModel = cpus()[0]?.model ?? 'unknown CPU'
const machine = {
  date: new Date().toISOString().slice(0, 10),
  cpu: cpuModel,
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  kernel: release(),
  profile: server?.profile ?? 'quick',
}
writeFileSync(join(root, 'docs/benchmarks.json'), `${JSON.stringify({ machine, sdk, server, bundle }, null, 2)}\n`)

const fmt = (n) => (n === undefined ? '–' : Number(n).toLocaleString('en-US'))
const mark = (ok) => (ok ? 'met' : '**missed**')
const lines = []
const out = (s = '') => lines.push(s)

out('# Benchmarks')
out()
out('Produced by `npm run bench` (quick profile; `BENCH_PROFILE=full npm run bench` for the full one). Every figure')
out('is measured beside a named baseline in the same run, so the ratios hold across machines better than the')
out('absolute numbers. Benchmarks never fail `npm test`.')
out()
out(`Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, Linux ${machine.kernel}; ${machine.date}; profile ${machine.profile}.`)

if (sdk) {
  out()
  out('## SDK hot path (`@mcpdir/metrics`)')
  out()
  out('ns/op and bytes allocated per op (median of rounds), beside prom-client and OpenTelemetry sdk-metrics doing')
  out('the same work in the same process. Ratio = their ns/op ÷ ours (higher is better for us).')
  out()
  out('| operation | ours ns/op | ours B/op | prom-client ns/op | OpenTelemetry ns/op | × prom-client | × OpenTelemetry | target | |')
  out('|---|---|---|---|---|---|---|---|---|')
  const targets = {
    'counter looked up with two tags, inc()': 100,
    'counter through a held handle, inc()': 20,
    'gauge().set()': undefined,
    'timer().record() (histogram observe)': 60,
  }
  for (const [name, row] of Object.entries(sdk.hotPath)) {
    const target = targets[name]
    const ok = (target === undefined || row.ours.nsPerOp <= target) && row.ratioPromClient > 1 && row.ratioOpenTelemetry > 1
    out(`| ${name} | ${row.ours.nsPerOp} | ${row.ours.bytesPerOp} | ${row['prom-client'].nsPerOp} | ${row.opentelemetry.nsPerOp} | ${row.ratioPromClient} | ${row.ratioOpenTelemetry} | ${target ? `≤ ${target} ns, faster than both` : 'faster than both'} | ${mark(ok)} |`)
  }
  out()
  out('The looked-up case allocates only the caller\'s tags object literal; the SDK itself allocates nothing per')
  out('update (a trie of Maps finds the handle without building a key string).')
  out()
  out('Memory: ')
  out()
  out(`| what | heap |`)
  out('|---|---|')
  out(`| 10 000 live timer series | ${sdk.memory.tenThousandSeriesMB} MB (${fmt(sdk.memory.bytesPerSeries)} B per series) |`)
  out(`| the same after 1 000 000 records | ${sdk.memory.afterMillionRecordsMB} MB (growth ${sdk.memory.growthOverMillionRecordsMB} MB) |`)
  out(`| 200 000 distinct series into a 2 000-series bound | ${sdk.memory.boundedTwoHundredThousandDistinctSeriesMB} MB |`)
}

if (server) {
  const ing = server.ingest
  out()
  out('## Ingest (`@mcpdir/metrics-server`)')
  out()
  out(`${ing.senders} concurrent senders (each its own MCP server and key), signed SDK-shaped batches of ${ing.batchPoints} points and a heartbeat`)
  out('(counters, gauges, timers with sketches), through HTTP into the real service (a child process; rollups and')
  out('retention run as in production), beside the raw ceiling: a bare prepared insert of the same rows in one')
  out('transaction (SQLite) or one multi-row insert (PostgreSQL), in the same run: the two take turns, five rounds')
  out('each, and each figure is the median of its rounds (the share, the median of the rounds\' shares), so a stretch')
  out('of noise on the host weighs on both sides alike.')
  out()
  // the targets are SQLite's (one box; PostgreSQL scales out with replicas); PostgreSQL's share is marked against the same 50 %
  out('| store | points/s | batches/s | raw ceiling points/s | share of ceiling | ≥ 50 % of the ceiling | ≥ 200 000/s (SQLite) |')
  out('|---|---|---|---|---|---|---|')
  for (const [store, r] of Object.entries({ SQLite: ing.sqlite, PostgreSQL: ing.postgres })) {
    if (!r) continue
    const rate = store === 'SQLite' ? mark(r.pointsPerSecond >= 200_000) : '–'
    out(`| ${store} | ${fmt(r.pointsPerSecond)} | ${fmt(r.batchesPerSecond)} | ${fmt(r.ceilingPointsPerSecond)} | ${Math.round(r.shareOfCeiling * 100)} % | ${mark(r.shareOfCeiling >= 0.5)} | ${rate} |`)
  }
  const shares = (r) => r?.rounds?.map((x) => `${Math.round(x.shareOfCeiling * 100)} %`).join(', ')
  if (ing.sqlite.rounds) {
    out()
    out(`Shares of the ceiling by round: SQLite ${shares(ing.sqlite)}${ing.postgres ? `; PostgreSQL ${shares(ing.postgres)}` : ''}.`)
    if (ing.postgres) out('The targets are SQLite\'s (one box); PostgreSQL, which scales out with replicas, is marked against the same 50 % for comparison.')
    const ceilings = ing.sqlite.rounds.map((r) => r.ceilingPointsPerSecond)
    out()
    out(`The share moves with the host's load more than either figure: the bare insert (one thread, in process) gains more`)
    out(`from a quiet machine than the service (HTTP between two processes on 2 cores). Its rounds here took`)
    out(`${fmt(Math.min(...ceilings))}–${fmt(Math.max(...ceilings))} points/s. On the code before received sketches were stored straight from their JSON (below),`)
    out('a quiet hour gave 207 006 points/s at 48 % (ceiling 400 673–453 269) and a noisier one 171 205 at 63 %.')
  }
  if (server.otlp) {
    const o = server.otlp
    out()
    out(`OTLP (\`POST /v1/metrics\`, bench/otlp.mjs) beside metrics-collect on one SQLite service in one run: ${o.senders} senders,`)
    out(`requests of ${o.requestPoints} data points (counters, gauges, histograms of the MCP boundaries), each stored as one point.`)
    out()
    out('| sent as | points/s |')
    out('|---|---|')
    out(`| metrics-collect, signed JSON batches | ${fmt(o.collectPointsPerSecond)} |`)
    out(`| OTLP protobuf, delta | ${fmt(o.otlpProtobufPointsPerSecond)} (${Math.round(o.otlpShareOfCollect * 100)} % of metrics-collect) |`)
    out(`| OTLP JSON, delta | ${fmt(o.otlpJsonPointsPerSecond)} |`)
    out(`| OTLP protobuf, cumulative (each point against its series' stored state) | ${fmt(o.otlpCumulativePointsPerSecond)} |`)
  }
  const capacity = Math.floor(ing.sqlite.pointsPerSecond / 5)
  out()
  out(`**Capacity.** An MCP server with 50 series flushing every 10 s sends 5 points/s. At the measured SQLite rate one`)
  out(`instance on this machine takes about **${fmt(capacity)} such servers**; leaving half the CPU for dashboards, rollups`)
  out(`and bursts, plan for **${fmt(Math.floor(capacity / 2))}**. Beyond that, PostgreSQL with several replicas (docs/postgres.md).`)
  out()
  out('What limits it: the service and the load generator share this machine\'s 2 cores, and the service runs in one')
  out('Node process: it keeps one core busy (1.0–1.2 cores with the thread pool), the load generator about a tenth of the')
  out('other. Raw points are stored packed (a row per server and minute a batch touches, `store/sql/point-block.ts`):')
  out('a 500-point batch writes one row and two index entries instead of 500 rows and 1 000 index entries (it was')
  out(`57 403 points/s, 20 % of the ceiling, one row per point; ${fmt(ing.sqlite.pointsPerSecond)} in this run). Batches that arrive together share`)
  out('one SQLite commit, each in a savepoint of its own (`store/sqlite/group-commit.ts`: groups of 1 to 8 here, about 3')
  out('on average), and request bodies are read from Node\'s request without a web stream. A received timer\'s sketch goes')
  out('from the wire\'s JSON form straight to the stored binary one (`Sketch.bytesFromJSON`, no sketch built) and is')
  out('decoded only when a second sketch merges into its minute; a rollup bucket of one row keeps that row\'s bytes.')
  out('Against the code before (a sketch built from the JSON, then encoded for the raw block and again for its minute), 8')
  out('rounds taking turns: +12 % points/s, median of the per-round ratios (2026-11-25). A point\'s series id is found in a')
  out('trie of Maps over its name, type and sorted tags (`store/sql/series-cache.ts`), not by a key string holding its')
  out('tags\' JSON, built and hashed for every point: +16 % in the same kind of A/B, 10 rounds. The protocol\'s fast point')
  out('check remembers the names and tags it has passed instead of matching their patterns again: +4 %, 18 rounds. In a')
  out('CPU profile of the service under this benchmark (2026-11-25, before those two) its busy time was: the ingest')
  out('transaction 45 % (the batch\'s')
  out('JavaScript – series keys, sketches, the merge into its 1-minute rows – then SQLite\'s statements and the commit),')
  out('`JSON.parse` of the 100 kB bodies 16 %, validation 9 %, garbage collection 6 %, the HMAC check 5 %, rollups 1 %,')
  out('the HTTP layer, routing and the rest 18 %. So a point costs about 4–5 µs of the service\'s CPU over HTTP, all')
  out('included; 200 000 points/s on one core needs 5. The HMAC stays on WebCrypto: a synchronous `node:crypto` HMAC is')
  out('four times cheaper alone, but in the service it measured slower (WebCrypto runs it on the thread pool, off the')
  out('event loop).')
  out()
  out('Tried and not kept (2026-11-25, a noisy hour: the ceiling moved between 176 000 and 266 000 points/s):')
  out('- **The store on a worker thread.** A prototype handed each validated batch to a worker thread running the')
  out('  ingest transaction on its own connection (structured clone of the points). In four pairs of runs taking turns it')
  out('  took 122 000–166 000 points/s against 98 000–158 000 in one thread: the service\'s main thread stayed 100 % busy')
  out('  (HTTP, `JSON.parse`, validation and now the clone) while the worker was 58–76 % busy. A split that pays would hand')
  out('  the raw body to the store\'s thread (parsing and validation with it), and with it the request\'s refusals and the')
  out('  live updates: an architecture change, not a driver option.')
  out('- **More senders, smaller groups.** A CPU profile of the service labels about a fifth of its main thread\'s time')
  out('  idle with 8 senders, but 16 and 32 senders (as many servers) were slower, and groups of at most 2, 4 or 8 batches')
  out('  could not be told apart. Without the profiler, `top -H` shows that thread 100 % busy, and `strace` saw it wait in')
  out('  `epoll_pwait` about 10 times a second: the idle label is not spare time (2026-11-25, later).')
  out()
  out('Tried and not kept (2026-11-25, later; the service alone took 176 000–196 000 points/s in those runs):')
  out('- **The raw body to a worker thread.** A prototype transferred each request\'s body bytes (no copy) to a worker')
  out('  thread that decoded, parsed, validated and stored the batch on its own connection; the main thread kept HTTP, the')
  out('  key and the HMAC check. Taking turns with the code in one thread: 166 000–182 000 points/s against 176 000–178 000,')
  out('  no gain, nor with 16 or 32 senders. `top -H` showed the main thread 81–100 % busy and the worker 56–62 %, yet')
  out('  `perf` took about 3.6 times fewer samples on that main thread than on the one-thread service\'s: where that mode\'s')
  out('  limit lies is not known.')
  out('- **`temp_store = MEMORY`.** The group commit\'s savepoints make SQLite write a sub-journal to a temporary file, about')
  out('  as many writes as to the WAL (`strace`). Kept in memory: 176 000–200 000 points/s against 184 000–195 000, three')
  out('  runs each in turns, no difference beyond the noise.')
  out()

  const q = server.query
  out()
  out('## Query: metrics-fetch')
  out()
  out(`Generated database: ${q.servers} servers × ${q.series} series; ${q.rawDays} day(s) of raw points at 10 s (${fmt(q.rawRows)} rows), every`)
  out('tier for as long as it is kept (1m, 5m, 15m: 2 days; 1h: 14; 6h: 60; 1d: 180). Cold = the first read of a report;')
  out('warm = repeated reads (reports are cached for their Cache-Control age, at most 60 s, and dropped when the')
  out('server sends data). Baseline: a plain `GROUP BY` over the same raw points of the same server and period, stored')
  out('one row each in a table indexed by (series, time) (`bench/baseline-points.mjs`).')
  out()
  out('| period | cold p50 ms | warm p50 ms | warm p95 ms | GROUP BY p50 ms | × GROUP BY (warm) | × GROUP BY (cold) | p95 ≤ 10 ms |')
  out('|---|---|---|---|---|---|---|---|')
  for (const [period, r] of Object.entries(q.periods)) {
    out(`| ${period} | ${r.coldFetchP50Ms} | ${r.fetchP50Ms} | ${r.fetchP95Ms} | ${r.plainGroupByP50Ms} | ${r.speedupOverGroupBy} | ${r.coldSpeedupOverGroupBy} | warm ${mark(r.fetchP95Ms <= 10)}, cold ${mark(r.coldFetchP50Ms <= 10)} |`)
  }
  out()
  out('Cold here is the first read of each server\'s report through the service\'s HTTP server, which is also among the')
  out('first runs of the report code in that process (not yet optimized by V8): see the in-process cold reads below for')
  out('what a cache miss costs in a service that has been answering for a while.')
  out()
  out('A report reads its chart from the tier of its bucket width (12h: two 5-minute rows a bucket), and the totals')
  out('of the period and the one before, and the breakdowns, from the fewest rows that hold them exactly: the coarsest')
  out('buckets that fit, finer ones at the edges (`query/tier-cover.ts`; the 7 days before a 7d period are about 7 daily')
  out('rows and a few 6-hour and hourly ones a series, not 168 hourly ones). For the 30d and 90d periods that includes')
  out('`1w`, a tier no period shows (weeks from the epoch, Thursday to Thursday): 90 days are about 12 weekly and 6 daily')
  out('rows a series instead of 90 daily ones. Rows are read as arrays, tags parsed once per series, a period\'s rows')
  out('merged per series before its totals and breakdowns take them (so each stored sketch is decoded once, not once per')
  out('total), and stored sketches merged straight from their bytes (`Sketch.mergeBytes`), touching only their')
  out('non-empty buckets. Release 0 read 2 × 1 440 minute rows a series for 1d and took 340–520 ms cold.')

  if (q.cold) {
    out()
    out('### Every read cold, SQLite and PostgreSQL')
    out()
    out('The report cache cleared before each of 140 requests per period (in-process, no socket), as the rarely read')
    out('server pages of a directory are; PostgreSQL holds the same data, copied with `mcpdir-metrics migrate`. Ten')
    out('untimed rounds over every period come first, so the report code is compiled and optimized as in a service that')
    out('has been answering for a while (the first some 70 reads of a fresh process are V8 tiering it up). The periods')
    out('then take turns, one read each, so a slow stretch of the host falls on all of them alike.')
    out('Baseline: the plain `GROUP BY` over the raw points (one row each, `bench/baseline-points.mjs`), on the same kind')
    out('of store in the same run. Targets: cold p95')
    out('≤ 15 ms and ≥ 10× faster than the `GROUP BY` for every period.')
    out()
    out('| store | period | cold p50 ms | cold p95 ms | GROUP BY p50 ms | × GROUP BY | target |')
    out('|---|---|---|---|---|---|---|')
    for (const [store, periods] of Object.entries({ SQLite: q.cold.sqlite, PostgreSQL: q.cold.postgres })) {
      if (!periods) continue
      for (const [period, r] of Object.entries(periods)) {
        const ok = r.coldP95Ms <= 15 && r.speedupOverGroupBy >= 10
        out(`| ${store} | ${period} | ${r.coldP50Ms} | ${r.coldP95Ms} | ${r.groupByP50Ms} | ${r.speedupOverGroupBy} | ${mark(ok)} |`)
      }
    }
    out()
    out(`The GROUP BY covers only the raw points still kept (${q.rawDays} day(s) in this profile), so for periods longer than`)
    out('that it reads less than the report does: the ratio understates the gain there.')
    out()
    out('What a cold read reads: its chart from `chart_blocks`, one row per bucket holding the bucket\'s rows merged per')
    out('metric name, type and counter outcome when the bucket was rolled up (`store/sql/chart-block.ts`); the')
    out('totals of the period before from the fewest such rows that hold it; the period\'s totals and its breakdowns by')
    out('tool and client from the fewest per-series tier rows that hold it. Each is one statement whatever the tiers it')
    out('spans. What is left (CPU profile): turning those per-series rows into JavaScript values (on PostgreSQL, sketches')
    out('arrive as hex text) and merging their sketches, and garbage collection, which is most of the gap between p50 and')
    out('p95 (a young-generation collection every few reports, 3–4 ms while a report\'s rows are alive). Before the week')
    out('tier, a 90d report read and merged 1 800 daily rows of 20 series, and its p95 on the full profile\'s PostgreSQL')
    out('was 18.8 ms. On PostgreSQL the statements a report asks at once go pipelined, on one connection in one')
    out('write (`store/postgres/pipelined-reads.ts`): writing them to the socket fell from an eighth of a cold read to')
    out('a thirtieth, and about a quarter of it is waiting while PostgreSQL, on the same two cores, runs them; each is')
    out('prepared once per connection, so PostgreSQL no longer parses and plans it at every run.')
    out()
    out('**What limits 1h: the baseline is small.** A `GROUP BY` over one hour of raw points reads 360 points of each')
    out('of 20 series, a few milliseconds; 10× faster would need a whole cold report (chart, totals and breakdowns,')
    out('the period before, events, usage, availability: about ten statements and the JavaScript that merges them)')
    out('in well under a millisecond. Every other period reads more raw points than a report reads rows, and there')
    out('the ratio grows with the period. Measured apart (2026-11-25, SQLite, this profile, 1 000 cold 1h reports in')
    out('process): the report\'s eleven statements alone took 0.54 ms (median), `JSON.stringify` of its 44 kB body')
    out('0.17 ms, and a read the report cache answers 0.13 ms, against 0.47–0.5 ms for 10× a `GROUP BY` of 4.7–5 ms:')
    out('before any of its JavaScript, a 1h report costs more than the target allows.')
    out()
    out('**Availability.** Each server here has a heartbeat every minute for the 180 days they are kept. A report')
    out('counts the heartbeat minutes of its period and of the one before: whole hours from `heartbeat_hours` (one')
    out('row per server and hour, recounted from its minutes by the ingest that touches it), single minutes only in')
    out('each window\'s partial first and last hour; about 4 300 hour rows and at most 240 minute rows for 90d, where')
    out('counting every minute (as before) reads 259 200. Both counts of a report, by hours beside by minutes, same')
    out('store and windows, taking turns (bench/availability.mjs; median ms). The first heartbeat, which only sets')
    out('the minutes a share divides by, is asked with the counts, so on PostgreSQL all of them go in the report\'s')
    out('one pipelined write:')
    out()
    out('| store | period | by hours | by minutes | × |')
    out('|---|---|---|---|---|')
    for (const [store, periods] of Object.entries({ SQLite: q.cold.availability?.sqlite, PostgreSQL: q.cold.availability?.postgres })) {
      for (const [period, r] of Object.entries(periods ?? {})) out(`| ${store} | ${period} | ${r.byHoursP50Ms} | ${r.byMinutesP50Ms} | ${r.speedup} |`)
    }
  }
  // the full profile's cold reads (60 M raw points) are recorded apart, like its list: BENCH_PROFILE=full
  const coldFull = server.profile !== 'full' && read('docs/benchmarks-cold-full.json')
  if (coldFull) {
    out()
    out('### Every read cold, full profile (recorded apart)')
    out()
    out(`Recorded ${coldFull.recordedAt}: ${coldFull.conditions}`)
    out()
    out(`${coldFull.servers} servers × ${coldFull.series} series; ${coldFull.rawDays} days of raw points at 10 s (${fmt(coldFull.rawPoints)} points, ${fmt(coldFull.databaseMb)} MB with`)
    out(`every tier; the baseline's one-row-per-point table ${fmt(coldFull.baselineMb)} MB). Same method and targets as above.`)
    out()
    out('| store | period | cold p50 ms | cold p95 ms | GROUP BY p50 ms | × GROUP BY | target |')
    out('|---|---|---|---|---|---|---|')
    for (const [store, periods] of Object.entries({ SQLite: coldFull.cold.sqlite, PostgreSQL: coldFull.cold.postgres })) {
      if (!periods) continue
      for (const [period, r] of Object.entries(periods)) {
        out(`| ${store} | ${period} | ${r.coldP50Ms} | ${r.coldP95Ms} | ${r.groupByP50Ms} | ${r.speedupOverGroupBy} | ${mark(r.coldP95Ms <= 15 && r.speedupOverGroupBy >= 10)} |`)
      }
    }
  }
  if (q.memory) {
    out()
    out(`**Memory.** The service's resident memory rose at most ${q.memory.peakAboveIdleMb} MB above idle (${q.memory.idleRssMb} MB) while answering every`)
    out(`period's reports of every server, 90d included (target ≤ 100 MB above idle: ${mark(q.memory.peakAboveIdleMb <= 100)}).`)
  }
  if (q.usage) {
    const u = q.usage
    out()
    out('## Query: usage')
    out()
    out(`One server with ${fmt(u.events)} usage events over 90 days (${fmt(u.visitorsPerDay)} visitors a day). Its 90d usage section, cold,`)
    out(`reads ${fmt(u.aggregateRowsRead)} pre-aggregated rows: p50 ${u.usage90dColdP50Ms} ms (max ${u.usage90dColdMaxMs} ms; target ≤ ${u.targetMs} ms: ${mark(u.meetsTarget)}).`)
    out(`Baseline (${u.baseline}): ${u.rawBaselineP50Ms} ms over ${fmt(u.rawRowsRead)} rows, ${u.speedupOverRaw}× slower.`)
    out(`Unique visitors: ${fmt(u.totals.unique_visitors)} from the sketches, ${fmt(u.rawTotals.unique_visitors)} counted exactly.`)
  }

  // the full profile's list (10 000 servers) takes about 6 minutes to seed on a quiet machine (20 under load), so it is recorded apart
  // (`BENCH_PROFILE=full node packages/server/bench/list.mjs`, its output saved as docs/benchmarks-list-full.json)
  const recordedFull = existsSync(join(root, 'docs/benchmarks-list-full.json')) ? JSON.parse(readFileSync(join(root, 'docs/benchmarks-list-full.json'), 'utf8')) : undefined
  for (const [list, heading] of [
    [q.list, '## Query: the servers list'],
    [q.list?.profile !== 'full' && recordedFull, '### The servers list, full profile (recorded apart)'],
  ]) {
    if (!list) continue
    out()
    out(heading)
    out()
    if (list === recordedFull) {
      out(`Recorded ${list.recordedAt ?? 'apart'}: ${list.conditions ?? ''}`)
      out()
    }
    out(`${list.sizes.map((r) => fmt(r.servers)).join(', ')} servers with 7 days of hourly tool-call rollups and some usage each, period ${list.period},`)
    out('in-process (no socket). The list is answered from the headline index in memory; cold = the index had just')
    out('changed, so the sorted order was rebuilt on the request; warm = the same request again. Later page = a')
    out('cursor near the end. Baseline: what the list did before, a report per server on every request.')
    out()
    out('| servers | index build ms | refresh, nothing changed ms | sort | first page cold p95 ms | later page cold p95 ms | warm p95 ms |')
    out('|---|---|---|---|---|---|---|')
    for (const r of list.sizes) {
      for (const [sort, f] of Object.entries(r.sorts)) {
        out(`| ${fmt(r.servers)} | ${r.indexBuildMs} | ${r.refreshNothingChangedMs} | ${sort} | ${f.first.coldP95Ms} | ${f.later?.coldP95Ms ?? '–'} | ${f.first.warmP95Ms} |`)
      }
    }
    out()
    if (list.baseline) out(`Baseline (${list.baseline.name}), ${fmt(list.baseline.servers)} servers: p95 ${list.baseline.p95Ms} ms per list request.`)
    out(`${list.ratio.servers} servers: cold p95 × ${list.ratio.coldP95} (target ≤ ${list.ratio.target}); ${fmt(list.target.servers)} servers: cold p95 ${list.target.coldP95Ms} ms (target ≤ ${list.target.budgetMs} ms) ${mark(list.target.met)}.`)
  }

  out()
  out('## Live')
  out()
  out(`From an SDK \`flush()\` to the point arriving on a metrics-stream reader: p50 ${server.live.p50Ms} ms, p95 ${server.live.p95Ms} ms`)
  out(`(${server.live.rounds} rounds; max ${server.live.maxMs} ms).`)
}

if (bundle) {
  out()
  out('## Bundle')
  out()
  out(`MetricsTab with uPlot, without React: ${(bundle.minifiedBytes / 1024).toFixed(1)} KB minified, **${(bundle.gzipBytes / 1024).toFixed(1)} KB gzip** (budget ${bundle.budgetBytes / 1024} KB, checked in \`npm test\`).`)
  const table = bundle.components?.ServersTable
  if (table) out(`ServersTable, without React: ${(table.minifiedBytes / 1024).toFixed(1)} KB minified, **${(table.gzipBytes / 1024).toFixed(1)} KB gzip** (budget ${table.budgetBytes / 1024} KB).`)
}

writeFileSync(join(root, 'docs/benchmarks.md'), `${lines.join('\n')}\n`)
process.stderr.write('wrote docs/benchmarks.md and docs/benchmarks.json\n')
