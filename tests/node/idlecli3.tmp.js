const { io } = require("socket.io-client");
const N=+process.argv[2]; let n=0, i=0;
function more(){ for (let k=0;k<100 && i<N;k++,i++){ const s=io("http://127.0.0.1:39861",{transports:["websocket"], forceNew:true}); s.on("connect",()=>{ if(++n==N) console.log("all connected"); }); } if (i<N) setTimeout(more, 20); }
more(); setTimeout(()=>process.exit(0), 120000);
