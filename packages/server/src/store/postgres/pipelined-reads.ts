// Statements that run outside a transaction (a report's reads, mostly), pipelined: every statement asked in one
// turn of the event loop goes to one connection in one write (pg's `pipeline` mode, with the socket corked until
// the turn ends), and PostgreSQL answers them one after another on that connection. A cold report asks about eight
// reads at once; from the pool they were eight writes waking eight backends, which on a small machine is most of
// the report's time (docs/benchmarks.md). Each statement keeps its own Sync, so one that fails fails alone, and
// poolers forward pipelined statements in every pooling mode (pgbouncer/pgbouncer#682).
import pg from 'pg'

/** Pipelined connections that statements outside transactions share; see the file's comment. */
export interface PipelinedReads {
  /** Sends a statement on the turn's connection; resolves with its result, as `pool.query` does. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<R>>
  /** Connections open or opening now. */
  readonly size: number
  end(): Promise<void>
}

interface Lane {
  client: pg.Client
  inFlight: number
  /** Connected: only then is its socket corked (never during the startup or TLS handshake). */
  ready: boolean
  /** Taken out of use (broken, or ended): no turn picks it, and its loss is told to nobody. */
  retired: boolean
}

/** An error that leaves the connection unusable: no SQLSTATE (a socket error, pg's "Connection terminated"), class 08 or 57P. */
function breaksConnection(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code) || /^(08|57P)/.test(code)
}

/**
 * Up to `connections` pipelined connections, opened when first needed. A turn's statements go to an idle
 * connection, else a new one while fewer than `connections` are open, else the least busy. A connection that
 * breaks (terminated, server gone) fails its statements, is reported to `onError` when it broke while idle, and
 * is replaced by the next turn that needs one.
 */
export function pipelinedReads(config: pg.ClientConfig, connections: number, onError: (error: Error) => void): PipelinedReads {
  if (!(Number.isInteger(connections) && connections > 0)) throw new RangeError(`pipelinedReads: connections must be a positive integer, got ${connections}`)
  const lanes: Lane[] = []
  let turn: Lane | undefined

  const retire = (lane: Lane) => {
    lane.retired = true
    const i = lanes.indexOf(lane)
    if (i >= 0) lanes.splice(i, 1)
    if (turn === lane) turn = undefined
  }

  function open(): Lane {
    const client = new pg.Client({ ...config, pipeline: true })
    const lane: Lane = { client, inFlight: 0, ready: false, retired: false }
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
        // the statements queued on it fail with the same error; the next turn opens another connection
        retire(lane)
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

  return {
    query<R extends pg.QueryResultRow>(query: pg.QueryConfig): Promise<pg.QueryResult<R>> {
      let lane = turn
      if (!lane) {
        lane = turn = pick()
        const chosen = lane
        const stream = lane.ready ? (lane.client as unknown as { connection?: { stream?: NodeJS.WritableStream & { cork?(): void; uncork?(): void } } }).connection?.stream : undefined
        stream?.cork?.()
        setImmediate(() => {
          if (turn === chosen) turn = undefined
          stream?.uncork?.()
        })
      }
      const chosen = lane
      chosen.inFlight++
      return chosen.client.query<R>(query).then(
        (result) => {
          chosen.inFlight--
          return result
        },
        (error: unknown) => {
          chosen.inFlight--
          // A statement failing this way is often the first to know (the client's own error event comes later):
          // retire the connection now, so the next turn does not pick it, and close it once nothing is in flight.
          if (breaksConnection(error) && !chosen.retired) {
            retire(chosen)
            if (chosen.inFlight === 0) chosen.client.end().catch(() => {})
          }
          throw error
        },
      )
    },
    get size() {
      return lanes.length
    },
    async end() {
      const closing = [...lanes]
      for (const lane of closing) retire(lane)
      await Promise.all(closing.map((lane) => lane.client.end().catch(() => {})))
    },
  }
}
