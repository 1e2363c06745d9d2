// The scenario both runners play against a TypedSocketIo server's /ts namespace, typed only by the
// generated declarations: every event of ITsClientEvents with its acknowledgement, and the
// server's ITsServerEvents (one of which expects an acknowledgement from this client).
import type { Socket } from "socket.io-client";
import type { Batch, Circle, Figure, ITsClientEvents, ITsServerEvents, Note, Priority, Shade } from "../generated/TypedSocketIo.TestContracts.js";

export type TsSocket = Socket<ITsServerEvents, ITsClientEvents>;

export interface Report {
  saved: Omit<Note, "attachment"> & { attachment: number[] };
  sum: number;
  sumWithoutBonus: number;
  reversed: number[];
  circles: Batch<Circle>;
  grown: Figure;
  grownArea: number;
  greetings: Array<[string, Shade]>;
  askedWith: Priority[];
  noteSaved: string;
  touched: boolean;
}

/** The bytes of a binary value: an ArrayBuffer in browsers, a Buffer (a Uint8Array) on Node. */
export function bytes(value: ArrayBuffer | Uint8Array): number[] {
  return Array.from(value instanceof Uint8Array ? value : new Uint8Array(value));
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); }, (error: unknown) => { clearTimeout(timer); reject(error); });
  });
}

export async function run(socket: TsSocket, timeoutMs = 10_000): Promise<Report> {
  const greetings: Array<[string, Shade]> = [];
  const askedWith: Priority[] = [];
  const twoGreetings = new Promise<void>((resolve) => {
    socket.on("greeted", (greeting, shade) => {
      greetings.push([greeting, shade]);
      if (greetings.length === 2) resolve();
    });
  });
  socket.on("ask-name", (priority, callback) => {
    askedWith.push(priority);
    callback(priority === "High" ? "typescript (urgent)" : "typescript");
  });
  const noteSaved = new Promise<Note>((resolve) => socket.once("note-saved", resolve));

  if (!socket.connected) {
    await within(new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", (error) => reject(error));
    }), timeoutMs, "connection");
  }

  const acked = socket.timeout(timeoutMs);
  const note: Note = {
    title: "hello",
    body: null,
    priority: "High",
    shade: 1,
    at: "2026-12-07T10:00:00+00:00",
    tags: ["a", "b"],
    counts: { x: 1, y: 2 },
    attachment: new Uint8Array([1, 2, 3]),
    note_id: "6f1c7a2e-0d5b-4c8e-9a61-3b2f4d5e6a7b",
  };
  const saved = await acked.emitWithAck("save", note);
  const sum = await acked.emitWithAck("sum", [1, 2, 3], 10);
  const sumWithoutBonus = await acked.emitWithAck("sum", [4, 5], null);
  const reversed = await acked.emitWithAck("reverse", new Uint8Array([1, 2]).buffer, new Uint8Array([9]));
  const circles = await acked.emitWithAck("circles", 2);
  const grown: Figure = await acked.emitWithAck("grow", { $type: "square", name: "sq", side: 2 });
  // The discriminator narrows the union: side exists on squares only.
  const grownArea = grown.$type === "square" ? grown.side * grown.side : Math.PI * grown.radius * grown.radius;
  socket.emit("say hello", "ts");
  await within(twoGreetings, timeoutMs, "two greetings");
  await acked.emitWithAck("touch");
  const echoed = await within(noteSaved, timeoutMs, "note-saved");

  return {
    saved: { ...saved, attachment: bytes(saved.attachment) },
    sum,
    sumWithoutBonus,
    reversed: bytes(reversed),
    circles,
    grown,
    grownArea,
    greetings,
    askedWith,
    noteSaved: `${echoed.title} ${echoed.priority} ${bytes(echoed.attachment).join(",")}`,
    touched: true,
  };
}
