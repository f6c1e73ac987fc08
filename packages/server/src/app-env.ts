import type { Clock } from './clock'
import type { Store } from './store'

/** What every route handler can reach through `c.var.deps`. */
export interface AppDeps {
  store: Store
  clock: Clock
  startedAt: number
}

export interface AppEnv {
  Variables: { deps: AppDeps }
}
