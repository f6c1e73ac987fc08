// The tag types of the wire contract. Types only.

/** Tags of a point on the wire and in storage: a small flat object of strings (see the tag limits). */
export type Tags = Record<string, string>

/**
 * Tags as a caller writes them when naming a series (`metrics.counter(name, tags)`): a small flat object whose
 * numbers and booleans are turned into strings before they are sent as {@link Tags}.
 */
export type TagsInput = Readonly<Record<string, string | number | boolean>>
