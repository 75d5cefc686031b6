/**
 * The app's contract as the page lists it, read back from its AsyncAPI document (so the page
 * shows exactly the schemas `sockkit asyncapi` prints): procedures both ways with input and
 * output, topics with params, message, what clients publish and presence.
 */
type Json = Record<string, unknown>;

export interface ProcedureView {
  side: 'server' | 'client';
  name: string;
  summary: string;
  input: unknown;
  output: unknown;
}

export interface TopicView {
  name: string;
  description: string;
  params: unknown;
  message: unknown;
  publishInput: unknown;
  presence: unknown;
}

const at = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>(
    (node, key) => (typeof node === 'object' && node !== null ? (node as Json)[key] : undefined),
    value,
  );

export function contractView(doc: Json) {
  const messages = (at(doc, 'components', 'messages') ?? {}) as Json;
  const d = (key: string) => at(messages, key, 'payload', 'properties', 'd');
  const procedures: ProcedureView[] = Object.entries((doc.operations ?? {}) as Json)
    .filter(([id]) => /^(server|client)\./.test(id))
    .map(([id, op]) => {
      const [side, name] = id.split('.') as ['server' | 'client', string];
      return {
        side,
        name,
        summary: String(at(op, 'summary') ?? ''),
        input: d(`${id}.call`),
        output: d(`${id}.result`),
      };
    });
  const topics: TopicView[] = Object.entries((doc.channels ?? {}) as Json)
    .filter(([id]) => id.startsWith('topic.'))
    .map(([id, channel]) => ({
      name: id.slice('topic.'.length),
      description: String(at(channel, 'description') ?? ''),
      params: at(channel, 'parameters', 'params', 'x-sockkit-schema'),
      message: d(`${id}.msg`),
      publishInput: d(`${id}.pub`),
      presence: at(messages, `${id}.presence`, 'payload', 'properties', 'member', 'properties', 'd'),
    }));
  const shared = (at(doc, 'components', 'schemas') ?? {}) as Json;
  return { procedures, topics, shared };
}
