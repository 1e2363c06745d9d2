// The chat page: the official Socket.IO client (window.io, from /socket.io/socket.io.js) on the
// typed /chat namespace. Written in TypeScript against the declarations generated from
// Chat.Contracts (IChatClientEvents: join(room) -> JoinResult, sendMessage(text) -> SendResult,
// typing(bool); IChatServerEvents: message, userJoined, userLeft, typing), so a renamed event or
// a changed payload fails the build. The Chat.Server build compiles it to wwwroot/chat.js.
(() => {
  const ACK_TIMEOUT_MS = 5000;
  const TYPING_REPEAT_MS = 2000;   // while typing, say so again this often (typing is volatile)
  const TYPING_IDLE_MS = 3000;     // stop the indicator after this long without a key
  const TYPING_EXPIRE_MS = 5000;   // forget someone's indicator when it is not repeated

  function $<T extends HTMLElement = HTMLElement>(id: string): T {
    const element = document.getElementById(id);
    if (!element) throw new Error(`#${id} is missing from the page`);
    return element as T;
  }

  const status = $('status');
  const errorBox = $('error');
  const messages = $('messages');
  const typingLine = $('typing');
  const messageInput = $<HTMLInputElement>('message');

  let socket: ChatSocket | null = null;
  let room: string | null = null;
  let me = '';
  let localId = 0;
  const users = new Set<string>();
  const typingUsers = new Map<string, ReturnType<typeof setTimeout>>();   // name -> expiry timer
  let typingSentAt = 0;
  let typingIdleTimer: ReturnType<typeof setTimeout> | undefined;

  function setStatus(state: string, text?: string): void {
    status.dataset.state = state;
    status.textContent = text || state;
  }

  function showError(text: string): void {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  function time(at: string | number): string {
    return new Date(at).toLocaleTimeString();
  }

  function scrollDown(): void {
    messages.scrollTop = messages.scrollHeight;
  }

  function addNotice(kind: string, text: string): void {
    const li = document.createElement('li');
    li.className = 'notice';
    li.dataset.kind = kind;
    li.textContent = text;
    messages.append(li);
    scrollDown();
  }

  interface Shown {
    id: string;
    from: string;
    text: string;
    at: string | number;
    mine: boolean;
  }

  function addMessage({ id, from, text, at, mine }: Shown): HTMLLIElement {
    const li = document.createElement('li');
    li.className = 'message';
    li.dataset.id = id;
    li.dataset.from = from;
    li.dataset.mine = String(mine);
    li.dataset.status = mine ? 'sending' : 'received';
    const fromSpan = document.createElement('span');
    fromSpan.className = 'from';
    fromSpan.textContent = from;
    const textSpan = document.createElement('span');
    textSpan.className = 'text';
    textSpan.textContent = text;
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = mine ? 'sending\u2026' : time(at);
    li.append(fromSpan, textSpan, meta);
    messages.append(li);
    scrollDown();
    return li;
  }

  function renderUsers(): void {
    const list = $('users');
    list.replaceChildren(...[...users].sort((a, b) => a.localeCompare(b)).map((name) => {
      const li = document.createElement('li');
      li.dataset.user = name;
      li.textContent = name;
      return li;
    }));
    $('online').textContent = String(users.size);
  }

  function renderTyping(): void {
    const names = [...typingUsers.keys()].sort((a, b) => a.localeCompare(b));
    typingLine.dataset.users = names.join(',');
    typingLine.textContent = names.length === 0 ? ''
      : names.length === 1 ? `${names[0]} is typing\u2026`
        : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} are typing\u2026`;
  }

  function setTyping(name: string, isTyping: boolean): void {
    clearTimeout(typingUsers.get(name));
    if (isTyping) {
      typingUsers.set(name, setTimeout(() => setTyping(name, false), TYPING_EXPIRE_MS));
    } else {
      typingUsers.delete(name);
    }
    renderTyping();
  }

  function sendTyping(isTyping: boolean): void {
    if (!socket || !socket.connected || !room) return;
    typingSentAt = isTyping ? Date.now() : 0;
    // "Typing" may be dropped (it is repeated while typing); "stopped" must arrive.
    (isTyping ? socket.volatile : socket).emit('typing', isTyping);
  }

  function join(connect: NonNullable<typeof io>, name: string, wanted: string): void {
    if (socket) socket.disconnect();
    me = name;
    showError('');
    setStatus('connecting', 'connecting\u2026');
    const chat: ChatSocket = connect('/chat', { auth: { name } });
    socket = chat;

    chat.on('connect', () => {
      setStatus('connected', `connected as ${name}`);
      // Also after a reconnection: the server forgets rooms with the connection.
      chat.timeout(ACK_TIMEOUT_MS).emit('join', wanted, (err, result: JoinResult) => {
        if (err) return showError(`join: ${err.message}`);
        if (!result.ok) return showError(`join: ${result.error}`);
        room = result.room;
        users.clear();
        result.users.forEach((u) => users.add(u));
        renderUsers();
        $('room-name').textContent = room;
        $('login-form').hidden = true;
        $('chat').hidden = false;
        document.body.dataset.joined = room;
        addNotice('joined', `you joined #${room}`);
        messageInput.focus();
      });
    });

    chat.on('connect_error', (err) => {
      // A middleware refusal (err.data set) stops the socket; anything else is retried.
      if (err.data) {
        setStatus('refused', 'refused');
        showError(`${err.message}: ${err.data.hint || JSON.stringify(err.data)}`);
      } else {
        setStatus('connecting', `reconnecting (${err.message})`);
      }
    });

    chat.on('disconnect', (reason) => {
      setStatus('disconnected', `disconnected (${reason})`);
      typingUsers.forEach((timer) => clearTimeout(timer));
      typingUsers.clear();
      renderTyping();
    });

    chat.on('message', (m) => {
      setTyping(m.from, false);
      addMessage({ id: m.id, from: m.from, text: m.text, at: m.at, mine: false });
    });

    chat.on('userJoined', (who, where, online) => {
      users.add(who);
      renderUsers();
      $('online').textContent = String(online);
      addNotice('joined', `${who} joined #${where}`);
    });

    chat.on('userLeft', (who, where, online) => {
      users.delete(who);
      renderUsers();
      $('online').textContent = String(online);
      setTyping(who, false);
      addNotice('left', `${who} left #${where}`);
    });

    chat.on('typing', (who, isTyping) => setTyping(who, isTyping));
  }

  if (typeof io !== 'function') {
    showError('The Socket.IO client did not load from /socket.io/socket.io.js.');
    $<HTMLButtonElement>('join').disabled = true;
    return;
  }
  const connect = io;

  $('login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    join(connect, $<HTMLInputElement>('name').value.trim(), $<HTMLInputElement>('room').value.trim());
  });

  messageInput.addEventListener('input', () => {
    clearTimeout(typingIdleTimer);
    if (messageInput.value === '') {
      sendTyping(false);
      return;
    }
    if (Date.now() - typingSentAt > TYPING_REPEAT_MS) sendTyping(true);
    typingIdleTimer = setTimeout(() => sendTyping(false), TYPING_IDLE_MS);
  });

  $('message-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = messageInput.value.trim();
    if (!text || !socket) return;
    messageInput.value = '';
    clearTimeout(typingIdleTimer);
    sendTyping(false);
    const li = addMessage({ id: `local-${++localId}`, from: me, text, at: Date.now(), mine: true });
    socket.timeout(ACK_TIMEOUT_MS).emit('sendMessage', text, (err, result: SendResult) => {
      const meta = li.querySelector<HTMLElement>('.meta');
      if (!meta) return;
      if (err || !result.ok) {
        li.dataset.status = 'failed';
        meta.textContent = `not delivered (${err ? err.message : result.error})`;
        return;
      }
      li.dataset.id = result.id ?? '';
      li.dataset.status = 'delivered';
      meta.textContent = `\u2713 delivered ${time(result.at)}`;
    });
  });
})();
