// Server-sent events over fetch: the platform authenticates the stream with the Authorization header,
// which EventSource cannot send, so the stream is read from a fetch body instead.

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/** Parse one SSE block ("event: x\ndata: y"); comments (": keep-alive") give null. */
export function parseSseBlock(block: string): SseEvent | null {
  let event = "message";
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    else if (field === "id") id = value;
  }
  return data.length ? { event, data: data.join("\n"), id } : null;
}

/** Read `stream` to its end, calling `onEvent` for each complete event. */
export async function readSse(stream: ReadableStream<Uint8Array>, onEvent: (e: SseEvent) => void): Promise<void> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, "");
      const event = parseSseBlock(block);
      if (event) onEvent(event);
    }
  }
  const last = parseSseBlock(buffer);
  if (last) onEvent(last);
}
