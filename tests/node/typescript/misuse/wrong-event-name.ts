// expect: TS2345 (an event the contract does not have: "saved" for "save")
import { io, type Socket } from "socket.io-client";
import type { ITsClientEvents, ITsServerEvents } from "../generated/TypedSocketIo.TestContracts.js";

const socket: Socket<ITsServerEvents, ITsClientEvents> = io();
socket.emit("saved", "title");
