// Pilar's only script, and only an enhancement: every page works without it.
// It moves the focus to a form's error summary, so that a screen reader
// reads it and the keyboard starts there, and keeps a form from being sent
// twice while the first submission is on its way.
(function () {
  var summary = document.querySelector('.error-summary[tabindex]');
  if (summary) { summary.focus(); }
  document.addEventListener('submit', function (e) {
    var f = e.target;
    if (f.dataset.sent) { e.preventDefault(); return; }
    f.dataset.sent = '1';
    setTimeout(function () { delete f.dataset.sent; }, 5000);
  });
})();
