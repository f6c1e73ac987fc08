// `Content-Encoding: gzip` bodies, inflated with a bound: zlib stops as soon as the output passes `maxBytes`,
// so a gzip bomb (a few KiB inflating to gigabytes) costs at most that much memory and is refused with a 413.
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import { ApiError } from '../http/api-error'

const gunzipAsync = promisify(gunzip)

/**
 * The body as sent: inflated when `encoding` is `gzip` (at most `maxBytes` out, else a 413 before inflating
 * further), as is for `identity` or none; a 415 for any other encoding, a 400 for a body that is not gzip.
 */
export async function inflateBody(body: Uint8Array, encoding: string | undefined, maxBytes: number): Promise<Uint8Array> {
  const name = (encoding ?? '').trim().toLowerCase()
  if (name === '' || name === 'identity') return body
  if (name !== 'gzip' && name !== 'x-gzip') {
    throw new ApiError(415, 'unsupported_media_type', `Content-Encoding ${name} is not supported; send gzip or no encoding`)
  }
  try {
    return await gunzipAsync(body, { maxOutputLength: maxBytes })
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new ApiError(413, 'payload_too_large', `the body inflates to more than ${maxBytes} bytes`)
    }
    throw new ApiError(400, 'invalid_body', `the body is not valid gzip: ${(error as Error).message}`)
  }
}
