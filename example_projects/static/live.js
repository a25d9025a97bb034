// The live audit log: one <li> per server-sent "audit" event (shared by both examples).
const list = document.getElementById("audit");
const status = document.getElementById("live-status");
const source = new EventSource(list.dataset.events);
source.addEventListener("open", () => { status.textContent = "live"; });
source.addEventListener("error", () => { status.textContent = "reconnecting"; });
source.addEventListener("audit", (message) => {
  const entry = JSON.parse(message.data);
  const item = document.createElement("li");
  item.className = "new";
  item.dataset.id = entry.id;
  const time = new Date(entry.dateTime).toTimeString().slice(0, 8);
  const name = entry.username || entry.targetId;
  item.append(`${time} · `);
  const action = document.createElement("strong");
  action.textContent = entry.action;
  item.append(action, " User ");
  if (entry.url) {
    const link = document.createElement("a");
    link.href = entry.url;
    link.textContent = name;
    item.append(link);
  } else {
    item.append(name);
  }
  list.prepend(item);
});
