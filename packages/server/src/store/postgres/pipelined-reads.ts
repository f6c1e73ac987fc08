// SELECT statements that run outside a transaction (a report's reads, key lookups), pipelined: every statement
// asked in one turn of the event loop goes to one connection in one write (pg's `pipeline` mode, with the socket
// corked until the turn ends), and PostgreSQL answers them one after another on that connection. A cold report asks
// about eight reads at once; from the pool they were eight writes waking eight backends, which on a small machine
// cost a large share of the report's time (docs/benchmarks.md). Writes stay on the pool: one waiting on a row lock
// would hold up every read queued behind it. Each statement keeps its own Sync, so one that fails fails alone;
// PgBouncer forwards pipelined statements (pgbouncer/pgbouncer#682).
//
// Each statement is also prepared, once per connection (a named statement, named by its text): PostgreSQL then
// parses it once, and after a few runs plans it once, instead of at every run; parsing and planning were about
// half of a cold report's time in the backend (docs/postgres.md). Two things can undo a prepared statement, and
// each is recovered from by running the statement again unnamed: a pooler in transaction mode without
// prepared-statement support (PgBouncer before 1.21, or its `max_prepared_statements = 0`) sends a later run to a
// server connection that never prepared it, so preparing stops for good; a column that changed type under a
// prepared statement ("cached plan must not change result type", after another replica's migration) makes it
// unusable on its connection, so the connection is retired and its successor prepares anew.
import pg from 'pg'
import { isConnectionError } from '../connection-errors'

/** Pipelined connections that SELECT statements outside transactions share; see the file's comment. */
export interface PipelinedReads {
  /**
   * Sends a statement on the turn's connection; resolves with its result, as `pool.query` does. It is prepared
   * under a name of its own (see the file's comment) unless preparing is off or `config.name` is given (`''`:
   * unnamed, as pg takes it).
   */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<R>>
  /** Connections open or opening now. */
  readonly size: number
  /** Closes every connection (after the statements already sent); statements asked afterwards are refused. */
  end(): Promise<void>
}

/** How long a connection may sit idle before it is closed, as `pg.Pool` closes its idle clients. */
export const PIPELINED_IDLE_MS = 10_000

/** Distinct statement texts prepared at most (a store has some dozens); any beyond run unnamed. */
const MAX_PREPARED = 512

export interface PipelinedReadsOptions {
  /** How long a connection may sit idle before it is closed. Default PIPELINED_IDLE_MS. */
  idleMs?: number
  /** Prepare each statement once per connection (see the file's comment). Default true. */
  prepare?: boolean
}

/** The server no longer knows the named statement (a pooler sent the run to another connection, or it was deallocated). */
const isUnknownStatement = (error: unknown) => (error as { code?: unknown } | null)?.code === '26000'
/** A prepared statement whose result columns changed type under it: unusable on its connection from then on. */
const isStalePlan = (error: unknown) =>
  (error as { code?: unknown } | null)?.code === '0A000' && /cached plan must not change result type/.test(String((error as Error).message))

interface Lane {
  client: pg.Client
  inFlight: number
  /** Connected: only then is its socket corked (never during the startup or TLS handshake). */
  ready: boolean
  /** Taken out of use (broken, idle too long, or ended): no turn picks it, and its loss is told to nobody. */
  retired: boolean
  /** `client.end()` called: once only. */
  ending: boolean
  idleTimer: NodeJS.Timeout | undefined
}

/** The connection's socket (pg keeps it as `connection.stream`; a TLS socket once TLS is up). */
const socketOf = (client: pg.Client) =>
  (client as unknown as { connection?: { stream?: NodeJS.WritableStream & { cork?(): void; uncork?(): void; destroy?(): void } } }).connection?.stream

/**
 * Up to `connections` pipelined connections, opened when first needed and closed after `idleMs` unused. A
 * turn's statements go to an idle connection, else a new one while fewer than `connections` are open, else the
 * least busy. A connection that breaks (terminated, server gone) fails its statements, is reported to `onError`
 * when it broke while idle, and is replaced by the next turn that needs one.
 */
export function pipelinedReads(config: pg.ClientConfig, connections: number, onError: (error: Error) => void, options: PipelinedReadsOptions = {}): PipelinedReads {
  if (!(Number.isInteger(connections) && connections > 0)) throw new RangeError(`pipelinedReads: connections must be a positive integer, got ${connections}`)
  const idleMs = options.idleMs ?? PIPELINED_IDLE_MS
  let prepare = options.prepare ?? true
  const names = new Map<string, string>()
  const lanes: Lane[] = []
  let turn: Lane | undefined
  let ended = false

  /** The statement's name: one per distinct text, the same on every connection. */
  const nameOf = (text: string) => {
    let name = names.get(text)
    if (name === undefined && names.size < MAX_PREPARED) names.set(text, (name = `mcpdir_${names.size}`))
    return name
  }

  const retire = (lane: Lane) => {
    lane.retired = true
    clearTimeout(lane.idleTimer)
    const i = lanes.indexOf(lane)
    if (i >= 0) lanes.splice(i, 1)
    if (turn === lane) turn = undefined
  }
  const shut = (lane: Lane) => {
    if (lane.ending) return
    lane.ending = true
    lane.client.end().catch(() => {})
  }
  /** Retires a connection and closes it once the statements already on it are answered. */
  const close = (lane: Lane) => {
    retire(lane)
    if (lane.inFlight === 0) shut(lane)
  }

  function open(): Lane {
    const client = new pg.Client({ ...config, pipeline: true, keepAlive: true })
    const lane: Lane = { client, inFlight: 0, ready: false, retired: false, ending: false, idleTimer: undefined }
    client.on('error', (error) => {
      // a statement in flight hears of it itself; a connection broken while idle has nobody else to tell, once
      if (!lane.retired && lane.inFlight === 0) onError(error)
      retire(lane)
    })
    client.on('end', () => retire(lane))
    client.connect().then(
      () => {
        lane.ready = true
      },
      () => {
        retire(lane)
        // The statements queued on it fail once its socket closes, which pg leaves to the server when it refuses
        // the server's answer (an authentication method it does not support, say): close it now, so none waits.
        socketOf(client)?.destroy?.()
      },
    )
    lanes.push(lane)
    return lane
  }

  function pick(): Lane {
    let best: Lane | undefined
    for (const lane of lanes) if (!best || lane.inFlight < best.inFlight) best = lane
    if (best && best.inFlight === 0) return best
    return lanes.length < connections ? open() : (best as Lane)
  }

  function send<R extends pg.QueryResultRow>(query: pg.QueryConfig): Promise<pg.QueryResult<R>> {
    if (ended) return Promise.reject(new Error('Cannot use pipelined reads after calling end'))
    let lane = turn
    if (!lane) {
      lane = turn = pick()
      const chosen = lane
      // only once connected: a new connection's first turn goes out message by message
      const stream = lane.ready ? socketOf(lane.client) : undefined
      stream?.cork?.()
      setImmediate(() => {
        if (turn === chosen) turn = undefined
        stream?.uncork?.()
      })
    }
    const chosen = lane
    chosen.inFlight++
    clearTimeout(chosen.idleTimer)
    const settled = () => {
      chosen.inFlight--
      if (chosen.inFlight > 0) return
      if (chosen.retired) shut(chosen)
      else (chosen.idleTimer = setTimeout(() => close(chosen), idleMs)).unref()
    }
    return chosen.client.query<R>(query).then(
      (result) => {
        settled()
        return result
      },
      (error: unknown) => {
        // A statement failing on a lost connection is often the first to know (the client's own error event comes
        // later), and one whose prepared statement went stale makes the connection unusable for that statement:
        // either way the connection is retired now, so the next turn does not pick it, and closed once nothing is in
        // flight. A statement's own failure (bad SQL, a value pg cannot send) leaves the connection in use.
        if (isConnectionError(error) || isStalePlan(error)) retire(chosen)
        settled()
        throw error
      },
    )
  }

  return {
    query<R extends pg.QueryResultRow>(query: pg.QueryConfig): Promise<pg.QueryResult<R>> {
      if (query.name !== undefined || !prepare) return send<R>(query)
      const name = nameOf(query.text)
      if (name === undefined) return send<R>(query)
      return send<R>({ ...query, name }).catch((error: unknown) => {
        if (isUnknownStatement(error)) prepare = false
        else if (!isStalePlan(error)) throw error
        return send<R>(query)
      })
    },
    get size() {
      return lanes.length
    },
    async end() {
      ended = true
      const closing = [...lanes]
      for (const lane of closing) retire(lane)
      // pg ends a client after the statements already sent to it
      await Promise.all(
        closing.map((lane) => {
          lane.ending = true
          return lane.client.end().catch(() => {})
        }),
      )
    },
  }
}
