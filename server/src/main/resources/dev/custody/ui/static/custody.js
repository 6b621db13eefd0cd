// Custody web UI: the only script. Pages work without it; it reloads live images (an open incident's burn-down).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("img[data-refresh]").forEach(function (img) {
    var seconds = Math.max(1, parseInt(img.getAttribute("data-refresh"), 10) || 5);
    var base = img.getAttribute("src").split("?")[0];
    setInterval(function () {
      img.setAttribute("src", base + "?t=" + Date.now());
    }, seconds * 1000);
  });
});
