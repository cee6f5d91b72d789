// Replies as the wrapper hands them out: error replies are RedsimError
// objects (so one in an EXEC result stays in place), pushes are
// `{ push: [...] }` (exchange.mjs decodes both).

/** A Redis error reply (WRONGTYPE, ERR ...), carrying Redis's exact text. */
export class RedsimError extends Error {
  constructor(message) {
    super(message);
    this.name = "RedsimError";
  }
}

export function isPush(frame) {
  return frame !== null && typeof frame === "object" && Array.isArray(frame.push);
}

const decoder = new TextDecoder();

/** A push's kind or channel as a string, whether it came as bytes or not. */
export function text(value) {
  return value instanceof Uint8Array ? decoder.decode(value) : String(value);
}
