// What the page's script sees besides the DOM: the official client's global io (from
// /socket.io/socket.io.js), and the chat's contracts (generated from Chat.Contracts).
type IChatClientEvents = import("../../Chat.Contracts/typescript/Chat.Contracts").IChatClientEvents;
type IChatServerEvents = import("../../Chat.Contracts/typescript/Chat.Contracts").IChatServerEvents;
type JoinResult = import("../../Chat.Contracts/typescript/Chat.Contracts").JoinResult;
type SendResult = import("../../Chat.Contracts/typescript/Chat.Contracts").SendResult;
type ChatSocket = import("socket.io-client").Socket<IChatServerEvents, IChatClientEvents>;

declare const io: typeof import("socket.io-client").io | undefined;
