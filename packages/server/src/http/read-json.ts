import { ApiError } from './api-error'

const decoder = new TextDecoder('utf-8', { fatal: true })

/** Parses a request body as UTF-8 JSON, or throws a 400 that says why. */
export function readJson(raw: Uint8Array): unknown {
  let text: string
  try {
    text = decoder.decode(raw)
  } catch {
    throw new ApiError(400, 'invalid_json', 'the body is not valid UTF-8')
  }
  if (text.trim() === '') throw new ApiError(400, 'invalid_json', 'the body is empty; send a JSON object')
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new ApiError(400, 'invalid_json', `the body is not valid JSON: ${(error as Error).message}`)
  }
}
