// A Node socket.io 4.8 server typed by the same declarations, in the other direction: it listens
// to ITsClientEvents and emits ITsServerEvents (new Server<ListenEvents, EmitEvents>()).
import { Server } from "socket.io";
import type { Circle, ITsClientEvents, ITsServerEvents, Note } from "../generated/TypedSocketIo.TestContracts.js";

const io = new Server<ITsClientEvents, ITsServerEvents>();

io.on("connection", (socket) => {
  socket.on("save", (note: Note, callback) => callback({ ...note, title: note.title.toUpperCase() }));
  socket.on("sum", (values, bonus, callback) => callback(values.reduce((a, b) => a + b, bonus ?? 0)));
  socket.on("reverse", (data, suffix, callback) => callback(new Uint8Array([...new Uint8Array(data as ArrayBuffer), suffix.byteLength]).reverse()));
  socket.on("circles", (count, callback) => {
    const items: Circle[] = Array.from({ length: count }, (_, i) => ({ kind: "circle", radius: i }));
    callback({ items, total: count });
  });
  socket.on("grow", (figure, callback) =>
    callback(figure.$type === "square" ? { ...figure, side: figure.side * 2 } : { ...figure, radius: figure.radius * 2 }));
  socket.on("say hello", async (name: string) => {
    socket.emit("greeted", `hello ${name}`, 1);
    const answer: string = await socket.timeout(1000).emitWithAck("ask-name", "High");
    socket.emit("greeted", answer, 0);
  });
  socket.on("touch", (callback) => callback());
});

// Broadcasts: one acknowledgement per client.
io.timeout(1000).emit("ask-name", "Low", (err: Error, names: string[]) => console.log(err, names));
io.to("room").emit("greeted", "everyone", 0);
