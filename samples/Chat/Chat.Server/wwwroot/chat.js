// The chat page: the official Socket.IO client (window.io, from /socket.io/socket.io.js) on the
// typed /chat namespace. Events (see Chat.Contracts): join(room) -> JoinResult,
// sendMessage(text) -> SendResult, typing(bool); from the server: message, userJoined, userLeft, typing.
'use strict';
(() => {
  const ACK_TIMEOUT_MS = 5000;
  const TYPING_REPEAT_MS = 2000;   // while typing, say so again this often (typing is volatile)
  const TYPING_IDLE_MS = 3000;     // stop the indicator after this long without a key
  const TYPING_EXPIRE_MS = 5000;   // forget someone's indicator when it is not repeated

  const $ = (id) => document.getElementById(id);
  const status = $('status');
  const errorBox = $('error');
  const messages = $('messages');
  const typingLine = $('typing');

  let socket = null;
  let room = null;
  let me = null;
  let localId = 0;
  const users = new Set();
  const typingUsers = new Map();   // name -> expiry timer
  let typingSentAt = 0;
  let typingIdleTimer = null;

  function setStatus(state, text) {
    status.dataset.state = state;
    status.textContent = text || state;
  }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  function time(at) {
    return new Date(at).toLocaleTimeString();
  }

  function scrollDown() {
    messages.scrollTop = messages.scrollHeight;
  }

  function addNotice(kind, text) {
    const li = document.createElement('li');
    li.className = 'notice';
    li.dataset.kind = kind;
    li.textContent = text;
    messages.append(li);
    scrollDown();
  }

  function addMessage({ id, from, text, at, mine }) {
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

  function renderUsers() {
    const list = $('users');
    list.replaceChildren(...[...users].sort((a, b) => a.localeCompare(b)).map((name) => {
      const li = document.createElement('li');
      li.dataset.user = name;
      li.textContent = name;
      return li;
    }));
    $('online').textContent = String(users.size);
  }

  function renderTyping() {
    const names = [...typingUsers.keys()].sort((a, b) => a.localeCompare(b));
    typingLine.dataset.users = names.join(',');
    typingLine.textContent = names.length === 0 ? ''
      : names.length === 1 ? `${names[0]} is typing\u2026`
        : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} are typing\u2026`;
  }

  function setTyping(name, isTyping) {
    clearTimeout(typingUsers.get(name));
    if (isTyping) {
      typingUsers.set(name, setTimeout(() => setTyping(name, false), TYPING_EXPIRE_MS));
    } else {
      typingUsers.delete(name);
    }
    renderTyping();
  }

  function sendTyping(isTyping) {
    if (!socket || !socket.connected || !room) return;
    typingSentAt = isTyping ? Date.now() : 0;
    // "Typing" may be dropped (it is repeated while typing); "stopped" must arrive.
    (isTyping ? socket.volatile : socket).emit('typing', isTyping);
  }

  function join(name, wanted) {
    if (socket) socket.disconnect();
    me = name;
    showError('');
    setStatus('connecting', 'connecting\u2026');
    socket = io('/chat', { auth: { name } });

    socket.on('connect', () => {
      setStatus('connected', `connected as ${name}`);
      // Also after a reconnection: the server forgets rooms with the connection.
      socket.timeout(ACK_TIMEOUT_MS).emit('join', wanted, (err, result) => {
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
        $('message').focus();
      });
    });

    socket.on('connect_error', (err) => {
      // A middleware refusal (err.data set) stops the socket; anything else is retried.
      if (err.data) {
        setStatus('refused', 'refused');
        showError(`${err.message}: ${err.data.hint || JSON.stringify(err.data)}`);
      } else {
        setStatus('connecting', `reconnecting (${err.message})`);
      }
    });

    socket.on('disconnect', (reason) => {
      setStatus('disconnected', `disconnected (${reason})`);
      typingUsers.forEach((timer) => clearTimeout(timer));
      typingUsers.clear();
      renderTyping();
    });

    socket.on('message', (m) => {
      setTyping(m.from, false);
      addMessage({ id: m.id, from: m.from, text: m.text, at: m.at, mine: false });
    });

    socket.on('userJoined', (who, where, online) => {
      users.add(who);
      renderUsers();
      $('online').textContent = String(online);
      addNotice('joined', `${who} joined #${where}`);
    });

    socket.on('userLeft', (who, where, online) => {
      users.delete(who);
      renderUsers();
      $('online').textContent = String(online);
      setTyping(who, false);
      addNotice('left', `${who} left #${where}`);
    });

    socket.on('typing', (who, isTyping) => setTyping(who, isTyping));
  }

  if (typeof io !== 'function') {
    showError('The Socket.IO client did not load from /socket.io/socket.io.js.');
    $('join').disabled = true;
    return;
  }

  $('login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    join($('name').value.trim(), $('room').value.trim());
  });

  $('message').addEventListener('input', () => {
    clearTimeout(typingIdleTimer);
    if ($('message').value === '') {
      sendTyping(false);
      return;
    }
    if (Date.now() - typingSentAt > TYPING_REPEAT_MS) sendTyping(true);
    typingIdleTimer = setTimeout(() => sendTyping(false), TYPING_IDLE_MS);
  });

  $('message-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('message');
    const text = input.value.trim();
    if (!text || !socket) return;
    input.value = '';
    clearTimeout(typingIdleTimer);
    sendTyping(false);
    const li = addMessage({ id: `local-${++localId}`, from: me, text, at: Date.now(), mine: true });
    socket.timeout(ACK_TIMEOUT_MS).emit('sendMessage', text, (err, result) => {
      const meta = li.querySelector('.meta');
      if (err || !result.ok) {
        li.dataset.status = 'failed';
        meta.textContent = `not delivered (${err ? err.message : result.error})`;
        return;
      }
      li.dataset.id = result.id;
      li.dataset.status = 'delivered';
      meta.textContent = `\u2713 delivered ${time(result.at)}`;
    });
  });
})();
