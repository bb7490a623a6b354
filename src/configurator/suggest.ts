// "Did you mean": Jaro-Winkler similarity on the folded names. It rewards a long shared prefix, which is
// what copied blog typos keep (`autoCreateSubscriptinotallow` still starts like `autoCreateSubscriptionGroup`).
import { aliasOf } from "../catalogue/catalogue.ts";

export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  if (!a.length || !b.length) return 0;
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const aMatched = new Array<boolean>(a.length).fill(false);
  const bMatched = new Array<boolean>(b.length).fill(false);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = Math.max(0, i - window); j < Math.min(b.length, i + window + 1); j++) {
      if (bMatched[j] || a[i] !== b[j]) continue;
      aMatched[i] = bMatched[j] = true;
      matches++;
      break;
    }
  }
  if (!matches) return 0;
  let transpositions = 0;
  for (let i = 0, j = 0; i < a.length; i++) {
    if (!aMatched[i]) continue;
    while (!bMatched[j]) j++;
    if (a[i] !== b[j]) transpositions++;
    j++;
  }
  const jaro = (matches / a.length + matches / b.length + (matches - transpositions / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < 4 && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** The closest candidate to `name`, or undefined when nothing is close enough to be a plausible typo. */
export function closest(name: string, candidates: Iterable<string>, threshold = 0.88): string | undefined {
  const folded = aliasOf(name);
  let best: string | undefined;
  let bestScore = threshold;
  for (const candidate of candidates) {
    const score = jaroWinkler(folded, aliasOf(candidate));
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}
