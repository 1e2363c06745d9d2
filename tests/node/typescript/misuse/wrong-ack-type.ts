// expect: TS2322 (the acknowledgement of sum carries a number, not a string)
import { io, type Socket } from "socket.io-client";
import type { ITsClientEvents, ITsServerEvents } from "../generated/TypedSocketIo.TestContracts.js";

const socket: Socket<ITsServerEvents, ITsClientEvents> = io();
export async function f(): Promise<void> {
  const total: string = await socket.emitWithAck("sum", [1], 2);
  console.log(total);
}
