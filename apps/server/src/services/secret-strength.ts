/**
 * Production secrets (SECURITY.md): at least 32 characters carrying at least 128 bits by the secret's own character
 * frequencies (length × empirical Shannon entropy per character). `openssl rand -hex 32` gives about 240 bits and
 * passes; 32 `a`s give 0 and a short word repeated gives little. It cannot prove randomness, only refuse the weak.
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

/** Why a production secret is too weak, or undefined when it is strong enough. */
export function weakSecretReason(secret: string): string | undefined {
  if ([...secret].length < minimumSecretLength)
    return `must be at least ${minimumSecretLength} characters of random text (openssl rand -hex 32)`;
  const bits = Math.floor(estimatedSecretBits(secret));
  if (bits < minimumSecretBits)
    return `is too predictable (about ${bits} bits, at least ${minimumSecretBits} required): use openssl rand -hex 32`;
  return undefined;
}
