// A socket.io-client 4.8 client typed by the generated declarations: every event, argument and
// acknowledgement of ITsClientEvents (emitted) and ITsServerEvents (listened to), used correctly.
import { io, type Socket } from "socket.io-client";
import type { Batch, Circle, ITsClientEvents, ITsServerEvents, Note, Priority, Shade } from "../generated/TypedSocketIo.TestContracts.js";

const socket: Socket<ITsServerEvents, ITsClientEvents> = io("http://localhost:3000");

socket.on("greeted", (greeting: string, shade: Shade) => {
  const dark: boolean = shade === 1;
  console.log(greeting.toUpperCase(), dark);
});
socket.on("ask-name", (priority: Priority, callback) => callback(priority === "High" ? "urgent" : "relaxed"));
socket.on("note-saved", (note) => {
  const body: string = note.body ?? "";
  const firstTag: string | undefined = note.tags[0];
  const count: number | undefined = note.counts["x"];
  console.log(note.note_id, note.at, body, firstTag, count, note.attachment.byteLength);
});

const note: Note = {
  title: "t",
  body: null,
  priority: "Low",
  shade: 0,
  at: new Date().toISOString(),
  tags: ["a"],
  counts: { a: 1 },
  attachment: new Uint8Array([1, 2, 3]),
  note_id: "00000000-0000-0000-0000-000000000000",
};

async function main(): Promise<void> {
  // Acknowledgements: a callback, emitWithAck (a promise of the ack's value) and timeout().
  socket.emit("save", note, (saved: Note) => console.log(saved.title));
  const saved: Note = await socket.emitWithAck("save", note);
  const sum: number = await socket.timeout(1000).emitWithAck("sum", [1, 2, 3], null);
  socket.timeout(1000).emit("sum", [1], 5, (err: Error, total: number) => console.log(err, total));
  const reversed: ArrayBuffer | Uint8Array = await socket.emitWithAck("reverse", new ArrayBuffer(2), Buffer.from([1]));
  const circles: Batch<Circle> = await socket.emitWithAck("circles", 2);
  const radius: number = circles.items[0].radius;
  const kind: string = circles.items[0].kind;
  const grown = await socket.emitWithAck("grow", { $type: "disc", name: "d", radius: 1 });
  const size: number = grown.$type === "disc" ? grown.radius : grown.side;
  socket.emit("say hello", "ts");
  socket.volatile.emit("say hello", "again");
  await socket.emitWithAck("touch");
  socket.emit("touch", () => console.log("touched"));
  console.log(saved, sum, reversed, radius, kind, size);
}

void main();
