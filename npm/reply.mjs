// Replies as the wrapper hands them out: the engine gives error replies as
// Error objects (so one in an EXEC result stays in place) and pushes as
// `{ push: [...] }`; here they become RedsimError and are told apart.

/** A Redis error reply (WRONGTYPE, ERR ...), carrying Redis's exact text. */
export class RedsimError extends Error {
  constructor(message) {
    super(message);
    this.name = "RedsimError";
  }
}

/** Replaces the engine's Error objects, at any depth, with RedsimError. */
export function convert(value) {
  if (value instanceof Error) return new RedsimError(value.message);
  if (Array.isArray(value)) return value.map(convert);
  if (value instanceof Map) {
    return new Map([...value].map(([k, v]) => [k, convert(v)]));
  }
  return value;
}

export function isPush(frame) {
  return frame !== null && typeof frame === "object" && Array.isArray(frame.push);
}

const decoder = new TextDecoder();

/** A push's kind or channel as a string, whether it came as bytes or not. */
export function text(value) {
  return value instanceof Uint8Array ? decoder.decode(value) : String(value);
}
