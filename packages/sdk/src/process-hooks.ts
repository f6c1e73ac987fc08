// Short-lived stdio servers end abruptly: the client closes stdin, or sends SIGTERM / SIGINT, or the event
// loop just empties. These hooks give the SDK a bounded last flush in each case without changing how the
// host exits: when the SDK is the only listener for a signal it flushes, removes itself and re-raises the
// signal, so the process still dies of it; when the host listens too, the host decides and the SDK only
// spools synchronously and flushes in the background.

export interface HookTarget {
  /** Flushes within the bound and spools what is left; keeps running. */
  flushAndSpool(): Promise<void>
  /** Flushes within the bound, spools what is left, and stops. */
  shutdown(): Promise<void>
  /** Writes everything unsent to the spool synchronously (the `exit` event allows nothing else). */
  spoolNow(): void
  readonly closed: boolean
}

type Proc = NodeJS.Process

export function installProcessHooks(target: HookTarget): () => void {
  const proc = (globalThis as { process?: Proc }).process
  if (!proc || typeof proc.on !== 'function') return () => {}
  let handling = false

  const onSignal = (signal: NodeJS.Signals) => {
    if (proc.listenerCount(signal) > 1) {
      target.spoolNow()
      void target.flushAndSpool()
      return
    }
    if (handling) {
      // a second signal while flushing: stop waiting
      target.spoolNow()
      uninstall()
      proc.kill(proc.pid, signal)
      return
    }
    handling = true
    void target.shutdown().finally(() => {
      uninstall()
      proc.kill(proc.pid, signal)
    })
  }
  const onBeforeExit = () => {
    if (!target.closed) void target.shutdown()
  }
  const onExit = () => {
    if (!target.closed) target.spoolNow()
  }
  const onStdinEnd = () => {
    if (!target.closed) void target.flushAndSpool()
  }

  proc.on('SIGTERM', onSignal)
  proc.on('SIGINT', onSignal)
  proc.on('beforeExit', onBeforeExit)
  proc.on('exit', onExit)
  const stdin = proc.stdin.isTTY ? undefined : proc.stdin
  stdin?.on('end', onStdinEnd)

  function uninstall() {
    proc?.off('SIGTERM', onSignal)
    proc?.off('SIGINT', onSignal)
    proc?.off('beforeExit', onBeforeExit)
    proc?.off('exit', onExit)
    stdin?.off('end', onStdinEnd)
  }
  return uninstall
}
