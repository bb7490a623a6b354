// JSON schemas shared by the route plugins (responses are serialized through them: fields not listed are dropped).
export const errorSchema = { type: "object", properties: { error: { type: "string" } }, required: ["error"] } as const;

// RocketMQ's own rules (TopicValidator): letters, digits, %, |, _ and -; topics up to 127 characters, groups 255.
// Checking them here keeps markup, path tricks and control characters out of every request to the cluster.
export const topicName = { type: "string", pattern: "^[%|a-zA-Z0-9_-]{1,127}$" } as const;
export const groupName = { type: "string", pattern: "^[%|a-zA-Z0-9_-]{1,255}$" } as const;

export const nameParam = (name: string, what: "topic" | "consumer group") =>
  ({
    type: "object",
    properties: { [name]: { ...(what === "topic" ? topicName : groupName), description: what } },
    required: [name],
  }) as const;

/** Printable text: tags and keys travel in the message's property string, where \u0001 and \u0002 are separators. */
export const printable = (maxLength: number) => ({ type: "string", maxLength, pattern: "^[^\\u0000-\\u001f\\u007f]*$" }) as const;

export const pageQuery = {
  search: { type: "string", maxLength: 255 },
  page: { type: "integer", minimum: 1, maximum: 1_000_000, default: 1 },
  pageSize: { type: "integer", minimum: 1, maximum: 500, default: 50 },
} as const;

export const paged = (items: object) =>
  ({
    type: "object",
    properties: { total: { type: "integer" }, page: { type: "integer" }, pageSize: { type: "integer" }, items: { type: "array", items } },
    required: ["total", "page", "pageSize", "items"],
  }) as const;

export const stringMap = { type: "object", additionalProperties: { type: "string" } } as const;

/** A page of `all`, filtered by a case-insensitive substring. */
export function page<T>(all: T[], key: (item: T) => string, q: { search?: string; page: number; pageSize: number }) {
  const needle = q.search?.toLowerCase();
  const matching = needle ? all.filter((item) => key(item).toLowerCase().includes(needle)) : all;
  return {
    total: matching.length,
    page: q.page,
    pageSize: q.pageSize,
    items: matching.slice((q.page - 1) * q.pageSize, q.page * q.pageSize),
  };
}
