// JSON schemas shared by the route plugins (responses are serialized through them: fields not listed are dropped).
export const errorSchema = { type: "object", properties: { error: { type: "string" } }, required: ["error"] } as const;

export const nameParam = (name: string, what: string) =>
  ({ type: "object", properties: { [name]: { type: "string", minLength: 1, maxLength: 255, description: what } }, required: [name] }) as const;

export const pageQuery = {
  search: { type: "string", maxLength: 255 },
  page: { type: "integer", minimum: 1, default: 1 },
  pageSize: { type: "integer", minimum: 1, maximum: 500, default: 50 },
} as const;

export const paged = (items: object) =>
  ({ type: "object", properties: { total: { type: "integer" }, page: { type: "integer" }, pageSize: { type: "integer" }, items: { type: "array", items } }, required: ["total", "page", "pageSize", "items"] }) as const;

export const stringMap = { type: "object", additionalProperties: { type: "string" } } as const;

/** A page of `all`, filtered by a case-insensitive substring. */
export function page<T>(all: T[], key: (item: T) => string, q: { search?: string; page: number; pageSize: number }) {
  const needle = q.search?.toLowerCase();
  const matching = needle ? all.filter((item) => key(item).toLowerCase().includes(needle)) : all;
  return { total: matching.length, page: q.page, pageSize: q.pageSize, items: matching.slice((q.page - 1) * q.pageSize, q.page * q.pageSize) };
}

export const topicName = { type: "string", pattern: "^[%|a-zA-Z0-9_-]{1,127}$" } as const;
