// A passphrase strength estimate for the meter: entropy from length and the character
// classes used, with penalties for repetition and sequences. It guides; it does not gate
// (the key derivation is what makes guessing slow).

export type Strength = 0 | 1 | 2 | 3 | 4;

export function entropyBits(p: string): number {
  if (p.length === 0) return 0;
  const chars = [...p];
  let pool = 0;
  if (/[a-z]/.test(p)) pool += 26;
  if (/[A-Z]/.test(p)) pool += 26;
  if (/[0-9]/.test(p)) pool += 10;
  if (/[^\p{L}\p{N}]/u.test(p)) pool += 33;
  if (/[^\x00-\x7F]/.test(p)) pool += 66; // Cyrillic and Kazakh letters
  let bits = 0;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    const prev = chars[i - 1];
    if (prev === undefined) {
      bits += Math.log2(pool);
      continue;
    }
    const step = (c?.codePointAt(0) ?? 0) - (prev.codePointAt(0) ?? 0);
    // Repeats and runs (aaaa, abcd, 1234) add almost nothing.
    bits += c === prev || Math.abs(step) === 1 ? 1 : Math.log2(pool);
  }
  return Math.round(bits);
}

export function strength(p: string): Strength {
  const b = entropyBits(p);
  if (b < 28) return 0;
  if (b < 40) return 1;
  if (b < 60) return 2;
  if (b < 80) return 3;
  return 4;
}

/** The shortest passphrase the create screen accepts. */
export const MIN_LENGTH = 12;
