// Arbitrary values a host could pass the SDK, for the property tests: anything fast-check makes (BigInt,
// symbols-free plain data, typed arrays, null prototypes), plus symbols, objects with throwing getters,
// proxies that throw on every trap, cyclic and huge objects. Functions given by these throw HOST_ERROR when
// called, so a test tells the host's own error (which `time()` rethrows, as documented) from the SDK's.
import fc from 'fast-check'

/** What a host function throws: the only error an SDK call may pass on (`time()` rethrows it). */
export const HOST_ERROR = new Error('host function threw')
/** What a hostile object's traps and getters throw. */
export const TRAP_ERROR = new Error('trap')

const trap = () => {
  throw TRAP_ERROR
}

/** fast-check's own hooks (clone, print): a hostile value answers them so the test runner can report it. */
const FC_HOOKS = new Set<PropertyKey>([fc.cloneMethod, fc.toStringMethod, fc.asyncToStringMethod])
const printAs = (name: string) => ({ [fc.toStringMethod]: () => name })

/** A proxy that throws on every trap (fast-check's hooks aside); calling or constructing it throws HOST_ERROR. */
export function throwingProxy(): object {
  const hostCall = () => {
    throw HOST_ERROR
  }
  const hooks = printAs('throwingProxy()') as Record<PropertyKey, unknown>
  return new Proxy(function target() {}, {
    get: (_t, key) => (FC_HOOKS.has(key) ? hooks[key] : trap()),
    has: (_t, key) => (FC_HOOKS.has(key) ? key in hooks : trap()),
    set: trap,
    ownKeys: trap,
    getOwnPropertyDescriptor: trap,
    defineProperty: trap,
    deleteProperty: trap,
    getPrototypeOf: trap,
    setPrototypeOf: trap,
    isExtensible: trap,
    preventExtensions: trap,
    apply: hostCall,
    construct: hostCall,
  })
}

/** An object whose enumerable property throws when read, and whose toString and valueOf throw. */
export function throwingGetters(): object {
  const o: Record<string, unknown> = Object.defineProperty({}, fc.toStringMethod, { value: () => 'throwingGetters()' })
  for (const key of ['k', 'endpoint', 'toString', 'valueOf', 'then', 'toJSON']) {
    Object.defineProperty(o, key, { enumerable: true, get: trap })
  }
  Object.defineProperty(o, Symbol.toPrimitive, { get: trap })
  return o
}

function cyclic(): object {
  const o: Record<string, unknown> = { a: 1 }
  o.self = o
  o.list = [o, { back: o }]
  return o
}

const HUGE_STRING = 'x'.repeat(1_000_000)
const HUGE_OBJECT = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]))
const HUGE_ARRAY = Array.from({ length: 100_000 }, (_, i) => i)

/** The hostile values fast-check cannot make by itself. */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt(),
  fc.string().map((s) => Symbol(s)),
  fc.constant(HUGE_STRING),
  fc.constant(HUGE_OBJECT),
  fc.constant(HUGE_ARRAY),
  fc.constant(null).map(() => throwingProxy()),
  fc.constant(null).map(() => throwingGetters()),
  fc.constant(null).map(() => cyclic()),
  fc.constant(null).map(() => () => {
    throw HOST_ERROR
  }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MAX_VALUE, -Number.MAX_VALUE, 2e15, -1),
)

/** Any value at all: fast-check's `anything` (with BigInt, typed arrays, boxed values, …) or a hostile one. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: hostile },
  {
    weight: 2,
    arbitrary: fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      maxDepth: 3,
    }),
  },
  { weight: 1, arbitrary: fc.string() },
)
