/**
 * A minimal HTTP/1.1 response parser for probes: the status line, the few headers a probe needs
 * (`Content-Length`, `Transfer-Encoding: chunked`, `Connection`, `Location`), and a body that is
 * counted and discarded, never buffered. Interim 1xx answers are skipped. It runs over the
 * socket's chunks as they come and allocates only when a head is split across chunks.
 */

/** Heads larger than this fail as `HPE_HEADER_OVERFLOW` (Node's and undici's default, 16 KiB). */
export const MAX_HEAD_BYTES = 16 * 1024;

const CRLF = Buffer.from('\r\n', 'latin1');
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const HTTP_1 = Buffer.from('HTTP/1.', 'latin1');
const CONTENT_LENGTH = Buffer.from('content-length', 'latin1');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding', 'latin1');
const CONNECTION = Buffer.from('connection', 'latin1');
const LOCATION = Buffer.from('location', 'latin1');
/** Larger chunk sizes than this are not a health answer (and would lose precision). */
const MAX_CHUNK_SIZE = 2 ** 40;

enum State {
  Head,
  Length,
  UntilClose,
  ChunkSize,
  ChunkExtension,
  ChunkSizeLf,
  ChunkData,
  ChunkDataCr,
  ChunkDataLf,
  TrailerStart,
  TrailerLine,
  TrailerLf,
  FinalLf,
}

/**
 * A parse failure: the llhttp code that names the fault (so traces read as they do with undici)
 * and what was wrong.
 *
 * @example
 * const failure: ParseFailure = { code: 'HPE_INVALID_STATUS', detail: 'status 99 is below 100' };
 */
export interface ParseFailure {
  readonly code: string;
  readonly detail: string;
}

function failure(code: string, detail: string): ParseFailure {
  return { code, detail };
}

/** Whether `data[start, start + name.length)` is `name` (lower-case ASCII), ignoring case. */
function nameIs(data: Buffer, start: number, end: number, name: Buffer): boolean {
  if (end - start !== name.length) return false;
  for (let index = 0; index < name.length; index++) {
    if (((data[start + index] as number) | 0x20) !== name[index]) return false;
  }
  return true;
}

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09;
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/**
 * Parses one response at a time; a subclass gets the head, the body's size and the end. One
 * parser serves every response of a connection ({@link ResponseParser.startResponse} between them).
 *
 * @example
 * class Counter extends ResponseParser {
 *   protected onResponseHead(status: number) { console.log(status); }
 *   protected onResponseBody() { return true; }
 *   protected onResponseEnd() {}
 * }
 */
export abstract class ResponseParser {
  #state = State.Head;
  /** The start of a head split across chunks (rare: a response usually comes in one). */
  #carry: Buffer | undefined = undefined;
  /** Bytes of the current response seen so far (0: the server has not started answering). */
  #seen = 0;
  #remaining = 0;
  #chunkDigits = 0;
  #keepAlive = true;
  /** Whether to decode `Location` (only when redirects are followed). */
  #wantLocation = false;

  /** The status line and headers of the final (non-1xx) response arrived. */
  protected abstract onResponseHead(status: number, location: string | undefined): void;
  /** `bytes` more body bytes arrived; returning false stops parsing (the connection is dropped). */
  protected abstract onResponseBody(bytes: number): boolean;
  /** The response is complete; `keepAlive` says whether the connection may carry another. */
  protected abstract onResponseEnd(keepAlive: boolean): void;

  /** Readies the parser for the answer to a new request. */
  protected startResponse(wantLocation: boolean): void {
    this.#state = State.Head;
    this.#carry = undefined;
    this.#seen = 0;
    this.#wantLocation = wantLocation;
  }

  /** Whether any byte of the current response arrived. */
  protected get responseStarted(): boolean {
    return this.#seen > 0;
  }

  /**
   * Feeds one chunk (kept by no one after the call returns: it may be a shared read buffer). Returns a failure for bytes that are not HTTP/1.1; after the response
   * ended (or the body callback said stop) the rest of the chunk is not read.
   */
  protected parse(chunk: Buffer): ParseFailure | undefined {
    let data = chunk;
    this.#seen += chunk.length;
    if (this.#carry !== undefined) {
      data = Buffer.concat([this.#carry, chunk]);
      this.#carry = undefined;
    }
    let offset = 0;
    const length = data.length;
    while (offset < length) {
      switch (this.#state) {
        case State.Head: {
          const end = data.indexOf(HEAD_END, offset);
          if (end < 0) {
            if (length - offset > MAX_HEAD_BYTES) return overflow();
            // A copy: the chunk may be a view of a read buffer that the next read overwrites.
            this.#carry = Buffer.from(data.subarray(offset));
            return undefined;
          }
          if (end - offset > MAX_HEAD_BYTES) return overflow();
          const result = this.#head(data, offset, end);
          if (typeof result === 'object') return result;
          offset = end + 4;
          if (result < 200) continue;
          if (this.#state === State.Head) {
            this.onResponseEnd(this.#keepAlive && offset === length);
            return undefined;
          }
          break;
        }
        case State.Length: {
          const take = Math.min(this.#remaining, length - offset);
          this.#remaining -= take;
          offset += take;
          if (!this.onResponseBody(take)) return undefined;
          if (this.#remaining === 0) {
            this.#state = State.Head;
            this.onResponseEnd(this.#keepAlive && offset === length);
            return undefined;
          }
          break;
        }
        case State.UntilClose: {
          const take = length - offset;
          offset = length;
          if (!this.onResponseBody(take)) return undefined;
          break;
        }
        case State.ChunkData: {
          const take = Math.min(this.#remaining, length - offset);
          this.#remaining -= take;
          offset += take;
          if (!this.onResponseBody(take)) return undefined;
          if (this.#remaining === 0) this.#state = State.ChunkDataCr;
          break;
        }
        default: {
          const byte = data[offset++] as number;
          const fault = this.#chunkByte(byte);
          if (fault !== undefined) return fault;
          if ((this.#state as State) === State.Head) {
            this.onResponseEnd(this.#keepAlive && offset === length);
            return undefined;
          }
        }
      }
    }
    return undefined;
  }

  /**
   * The stream ended (the server closed). True if that completes the response (a body
   * delimited by the close); the response then ended through `onResponseEnd(false)`.
   */
  protected parseEnd(): boolean {
    if (this.#state !== State.UntilClose) return false;
    this.#state = State.Head;
    this.onResponseEnd(false);
    return true;
  }

  /** One byte of the chunked framing (sizes, CRLFs, trailers). */
  #chunkByte(byte: number): ParseFailure | undefined {
    switch (this.#state) {
      case State.ChunkSize: {
        const value = hexValue(byte);
        if (value >= 0) {
          this.#remaining = this.#remaining * 16 + value;
          this.#chunkDigits++;
          if (this.#remaining > MAX_CHUNK_SIZE)
            return failure('HPE_INVALID_CHUNK_SIZE', 'the chunk size is too large');
          return undefined;
        }
        if (this.#chunkDigits === 0)
          return failure('HPE_INVALID_CHUNK_SIZE', 'a chunk size has no hex digits');
        if (byte === 0x3b || isSpace(byte)) this.#state = State.ChunkExtension;
        else if (byte === 0x0d) this.#state = State.ChunkSizeLf;
        else return failure('HPE_INVALID_CHUNK_SIZE', `unexpected byte ${byte} in a chunk size`);
        return undefined;
      }
      case State.ChunkExtension:
        if (byte === 0x0d) this.#state = State.ChunkSizeLf;
        return undefined;
      case State.ChunkSizeLf:
        if (byte !== 0x0a) return failure('HPE_STRICT', 'a chunk size line does not end with CRLF');
        this.#state = this.#remaining === 0 ? State.TrailerStart : State.ChunkData;
        return undefined;
      case State.ChunkDataCr:
        if (byte !== 0x0d) return failure('HPE_STRICT', 'chunk data is not followed by CRLF');
        this.#state = State.ChunkDataLf;
        return undefined;
      case State.ChunkDataLf:
        if (byte !== 0x0a) return failure('HPE_STRICT', 'chunk data is not followed by CRLF');
        this.#state = State.ChunkSize;
        this.#remaining = 0;
        this.#chunkDigits = 0;
        return undefined;
      case State.TrailerStart:
        this.#state = byte === 0x0d ? State.FinalLf : State.TrailerLine;
        return undefined;
      case State.TrailerLine:
        if (byte === 0x0d) this.#state = State.TrailerLf;
        return undefined;
      case State.TrailerLf:
        this.#state = byte === 0x0a ? State.TrailerStart : State.TrailerLine;
        return undefined;
      case State.FinalLf:
        if (byte !== 0x0a) return failure('HPE_STRICT', 'the last chunk does not end with CRLF');
        this.#state = State.Head;
        return undefined;
      default:
        return failure('HPE_INTERNAL', `unexpected parser state ${this.#state}`);
    }
  }

  /**
   * Reads the head in `data[start, end)` (end: the blank line's CRLFCRLF). Returns the status,
   * having set the body state (left at `Head` when there is no body), or a failure.
   */
  #head(data: Buffer, start: number, end: number): number | ParseFailure {
    if (end - start < 12 || data.compare(HTTP_1, 0, 7, start, start + 7) !== 0) {
      return failure('HPE_INVALID_CONSTANT', 'the answer does not start with "HTTP/1."');
    }
    const minor = (data[start + 7] as number) - 0x30;
    if ((minor !== 0 && minor !== 1) || data[start + 8] !== 0x20) {
      return failure('HPE_INVALID_VERSION', 'the HTTP version is not 1.0 or 1.1');
    }
    let status = 0;
    for (let index = start + 9; index < start + 12; index++) {
      const digit = (data[index] as number) - 0x30;
      if (digit < 0 || digit > 9) return failure('HPE_INVALID_STATUS', 'the status is not three digits');
      status = status * 10 + digit;
    }
    const after = data[start + 12];
    if (end > start + 12 && after !== 0x20 && after !== 0x0d) {
      return failure('HPE_INVALID_STATUS', 'the status is not three digits');
    }
    if (status < 100) return failure('HPE_INVALID_STATUS', `status ${status} is below 100`);
    let keepAlive = minor === 1;
    let contentLength = -1;
    let chunked = false;
    let location: string | undefined;
    let line = data.indexOf(CRLF, start);
    line = line < 0 || line >= end ? end : line + 2;
    while (line < end) {
      let lineEnd = data.indexOf(CRLF, line);
      if (lineEnd < 0 || lineEnd > end) lineEnd = end;
      const colon = data.indexOf(0x3a, line);
      if (colon < 0 || colon >= lineEnd) {
        return failure('HPE_INVALID_HEADER_TOKEN', 'a header line has no colon');
      }
      let valueStart = colon + 1;
      while (valueStart < lineEnd && isSpace(data[valueStart])) valueStart++;
      let valueEnd = lineEnd;
      while (valueEnd > valueStart && isSpace(data[valueEnd - 1])) valueEnd--;
      if (nameIs(data, line, colon, CONTENT_LENGTH)) {
        let value = 0;
        if (valueEnd === valueStart) return failure('HPE_INVALID_CONTENT_LENGTH', 'Content-Length is empty');
        for (let index = valueStart; index < valueEnd; index++) {
          const digit = (data[index] as number) - 0x30;
          if (digit < 0 || digit > 9) {
            return failure('HPE_INVALID_CONTENT_LENGTH', 'Content-Length is not a number');
          }
          value = value * 10 + digit;
        }
        if (contentLength >= 0 && contentLength !== value) {
          return failure('HPE_UNEXPECTED_CONTENT_LENGTH', 'two different Content-Length headers');
        }
        contentLength = value;
      } else if (nameIs(data, line, colon, TRANSFER_ENCODING)) {
        chunked = data.toString('latin1', valueStart, valueEnd).toLowerCase().endsWith('chunked');
      } else if (nameIs(data, line, colon, CONNECTION)) {
        const value = data.toString('latin1', valueStart, valueEnd).toLowerCase();
        if (value.includes('close')) keepAlive = false;
        else if (value.includes('keep-alive')) keepAlive = true;
      } else if (this.#wantLocation && location === undefined && nameIs(data, line, colon, LOCATION)) {
        location = valueEnd > valueStart ? data.toString('latin1', valueStart, valueEnd) : undefined;
      }
      line = lineEnd + 2;
    }
    if (status < 200) return status;
    this.#keepAlive = keepAlive;
    if (status === 204 || status === 304) {
      this.#state = State.Head;
    } else if (chunked) {
      this.#state = State.ChunkSize;
      this.#remaining = 0;
      this.#chunkDigits = 0;
    } else if (contentLength > 0) {
      this.#state = State.Length;
      this.#remaining = contentLength;
    } else if (contentLength === 0) {
      this.#state = State.Head;
    } else {
      // No length: the body ends when the server closes, so the connection cannot be reused.
      this.#state = State.UntilClose;
      this.#keepAlive = false;
    }
    this.onResponseHead(status, location);
    return status;
  }
}

function overflow(): ParseFailure {
  return failure('HPE_HEADER_OVERFLOW', `the status line and headers exceed ${MAX_HEAD_BYTES} bytes`);
}
