import { describe, expect, it } from 'vitest'
import { openStore } from '../store/open-store'
import { StoreClosedError } from '../store/store'
import { listen } from './listen'

describe('listen', () => {
  it('serves the app on a free port, and closes the store it opened itself', async () => {
    const service = await listen({ database: ':memory:', port: 0 })
    expect(service.url).toBe(`http://127.0.0.1:${service.port}`)
    const response = await fetch(`${service.url}/healthz`)
    expect(await response.json()).toMatchObject({ status: 'ok', database: 'sqlite' })
    await service.close()
    await expect(service.store.ping()).rejects.toBeInstanceOf(StoreClosedError)
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow()
  })

  it('leaves a store it was given open', async () => {
    const store = await openStore(':memory:')
    const service = await listen({ database: store, port: 0 })
    await service.close()
    await store.ping()
    await store.close()
  })

  it('rejects when the port is taken, and closes what it opened', async () => {
    const first = await listen({ database: ':memory:', port: 0 })
    await expect(listen({ database: ':memory:', port: first.port })).rejects.toThrow(/EADDRINUSE/)
    await first.close()
  })
})
