// Deadline countdowns tick in the page between refreshes: every element with data-due shows the time left.
(function () {
  function span(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000), days = Math.floor(minutes / 1440), hours = Math.floor(minutes % 1440 / 60);
    if (days) return days + "天" + hours + "小时";
    if (hours) return hours + "小时" + (minutes % 60) + "分";
    return (minutes % 60) + "分钟";
  }
  function tick() {
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var left = new Date(el.dataset.due).getTime() - Date.now();
      el.textContent = left < 0 ? "已超时" + span(left) : "剩余" + span(left);
      el.className = left < 0 ? "due-overdue" : left < 86400000 ? "due-soon" : "due-ok";
    });
  }
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
  setInterval(tick, 30000);
})();
