/**
 * Production secrets (SECURITY.md): at least 32 characters carrying at least 128 bits by the secret's own character
 * frequencies (length × empirical Shannon entropy per character). `openssl rand -hex 32` gives about 240 bits and
 * passes; 32 `a`s give 0 and a short word repeated gives little. Runs of eight consecutive (`abcdefgh`) or repeated
 * characters are refused too. It cannot prove randomness, only refuse the weak.
 */
const minimumSecretLength = 32;
const minimumSecretBits = 128;

function estimatedSecretBits(secret: string): number {
  const characters = [...secret];
  const counts = new Map<string, number>();
  for (const character of characters) counts.set(character, (counts.get(character) ?? 0) + 1);
  let bitsPerCharacter = 0;
  for (const count of counts.values()) {
    const share = count / characters.length;
    bitsPerCharacter -= share * Math.log2(share);
  }
  return characters.length * bitsPerCharacter;
}

/** A pattern no generator of random text makes (odds below one in a million for 64 random hex digits). */
const patternLength = 8;

/** The first run of `patternLength` characters with consecutive codes (`abcdefgh`, `87654321`), if any. */
function sequentialRun(characters: string[]): string | undefined {
  for (let start = 0; start + patternLength <= characters.length; start++) {
    const codes = characters.slice(start, start + patternLength).map((character) => character.codePointAt(0) ?? 0);
    const step = (codes[1] ?? 0) - (codes[0] ?? 0);
    if (Math.abs(step) !== 1) continue;
    if (codes.every((code, i) => i === 0 || code - (codes[i - 1] ?? 0) === step)) {
      return characters.slice(start, start + patternLength).join("");
    }
  }
  return undefined;
}

/** The first run of `patternLength` characters that occurs again later in the secret, if any. */
function repeatedRun(secret: string): string | undefined {
  for (let start = 0; start + 2 * patternLength <= secret.length; start++) {
    const run = secret.slice(start, start + patternLength);
    if (secret.indexOf(run, start + patternLength) !== -1) return run;
  }
  return undefined;
}

/** Why a production secret is too weak, or undefined when it is strong enough. */
export function weakSecretReason(secret: string): string | undefined {
  const characters = [...secret];
  if (characters.length < minimumSecretLength)
    return `must be at least ${minimumSecretLength} characters of random text (openssl rand -hex 32)`;

  const bits = Math.floor(estimatedSecretBits(secret));
  if (bits < minimumSecretBits)
    return `is too predictable (about ${bits} bits, at least ${minimumSecretBits} required): use openssl rand -hex 32`;
  const run = sequentialRun(characters) ?? repeatedRun(secret);
  if (run !== undefined)
    return `is not random text (it contains the pattern ${JSON.stringify(run)}): use openssl rand -hex 32`;
  return undefined;
}
