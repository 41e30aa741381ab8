// The isolation frame's screen (Tauri's isolation pattern): every message the page
// sends to the shell passes through here, in a sandboxed frame of another origin that
// the page's scripts cannot reach, before it is encrypted with a key only this frame
// holds. A message outside the allowed set (allowed.js) is turned into `ipc_refused`,
// which the shell answers with an error: the page learns it was refused instead of
// waiting forever, and the command it named never runs. A message that passes gets the
// name of its command inside the ciphertext (`__kua_cmd`), so that the shell can tell
// it came through this frame and was not replayed under another command's name.
(function (root) {
  "use strict";

  const REFUSED = "ipc_refused";
  const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

  function typeFits(type, value) {
    const nullable = type.endsWith("?");
    const base = nullable ? type.slice(0, -1) : type;
    if (value === null) return nullable;
    switch (base) {
      case "string":
        return typeof value === "string";
      case "number":
        return typeof value === "number" && Number.isFinite(value);
      case "boolean":
        return typeof value === "boolean";
      case "object":
        // A plain object only: a Date, Map or typed array would reach the shell as
        // something else.
        return typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype;
      case "array":
        return Array.isArray(value);
      case "channel":
        return typeof value === "string" && /^__CHANNEL__:[0-9]+$/.test(value);
      default:
        return false;
    }
  }

  /** Why `payload` may not go to `cmd`, or null when it may. */
  function fault(allowed, cmd, payload) {
    if (typeof cmd !== "string" || !own(allowed, cmd)) return "not one of Kua's commands";
    const args = allowed[cmd];
    if (args === null) {
      return payload === null || payload === undefined ? null : "arguments to a command that takes none";
    }
    // `invoke(cmd)` sends `{}`; treat a missing payload the same.
    const given = payload === undefined || payload === null ? {} : payload;
    if (typeof given !== "object" || Object.getPrototypeOf(given) !== Object.prototype) {
      return "arguments that are not an object";
    }
    for (const key of Object.keys(given)) {
      if (!own(args, key)) return `an argument it does not take (${key.slice(0, 40)})`;
    }
    for (const key of Object.keys(args)) {
      if (!own(given, key)) return `no ${key}`;
      if (!typeFits(args[key], given[key])) return `${key} is not ${args[key]}`;
    }
    return null;
  }

  /** The message to send on: `message` marked with its command, or a refusal. */
  function screen(allowed, message) {
    const why = fault(allowed, message.cmd, message.payload);
    const out = Object.assign(Object.create(null), message);
    if (why !== null) {
      out.cmd = REFUSED;
      out.payload = { __kua_cmd: REFUSED, refused: String(message.cmd).slice(0, 80), why };
    } else if (!message.cmd.startsWith("plugin:")) {
      out.payload = Object.assign({}, message.payload ?? {}, { __kua_cmd: message.cmd });
    }
    return out;
  }

  root.kuaScreen = screen;
  if (typeof root.window !== "undefined" && root.KUA_ALLOWED) {
    root.__TAURI_ISOLATION_HOOK__ = (message) => screen(root.KUA_ALLOWED, message);
  }
})(globalThis);
