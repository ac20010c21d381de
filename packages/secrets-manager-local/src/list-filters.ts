import type { StoredSecret } from './secret-model';

export const FILTER_KEYS = [
  'description',
  'name',
  'tag-key',
  'tag-value',
  'primary-region',
  'owning-service',
  'all',
] as const;

export type FilterKey = (typeof FILTER_KEYS)[number];

export interface SecretFilter {
  Key: FilterKey;
  Values: string[];
}

/** Filters are ANDed; within one filter any positive value may match and no `!value` may (ListSecrets). */
export function matchesFilters(secret: StoredSecret, filters: readonly SecretFilter[]): boolean {
  return filters.every((filter) => matchesFilter(secret, filter));
}

function matchesFilter(secret: StoredSecret, filter: SecretFilter): boolean {
  const positive = filter.Values.filter((v) => !v.startsWith('!'));
  const negative = filter.Values.filter((v) => v.startsWith('!')).map((v) => v.slice(1));
  if (negative.some((value) => matchesValue(secret, filter.Key, value))) return false;
  return positive.length === 0 || positive.some((value) => matchesValue(secret, filter.Key, value));
}

function matchesValue(secret: StoredSecret, key: FilterKey, value: string): boolean {
  const tags = secret.tags ?? [];
  switch (key) {
    case 'name':
      return secret.name.startsWith(value);
    case 'description':
      return wordPrefixMatch(secret.description ?? '', value);
    case 'tag-key':
      return tags.some((t) => t.Key.startsWith(value));
    case 'tag-value':
      return tags.some((t) => t.Value.startsWith(value));
    // Secrets here are never replicas nor owned by another service, so these attributes are empty.
    case 'primary-region':
    case 'owning-service':
      return false;
    case 'all': {
      const haystack = [secret.name, secret.description ?? '', ...tags.flatMap((t) => [t.Key, t.Value])]
        .flatMap(words)
        .map((w) => w.toLowerCase());
      return words(value).every((word) => haystack.some((w) => w.startsWith(word.toLowerCase())));
    }
  }
}

/** `value` occurs in `text` at the start of a word, ignoring case ("description" filter). */
function wordPrefixMatch(text: string, value: string): boolean {
  const lowerText = text.toLowerCase();
  const lowerValue = value.toLowerCase();
  let index = lowerText.indexOf(lowerValue);
  while (index !== -1) {
    if (index === 0 || !/[a-z0-9]/.test(lowerText[index - 1] ?? '')) return true;
    index = lowerText.indexOf(lowerValue, index + 1);
  }
  return false;
}

function words(text: string): string[] {
  return text.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
}
