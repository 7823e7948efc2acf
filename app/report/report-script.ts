// `report.js`, written beside each run report and loaded as a file (the report's CSP allows
// script from 'self' only, never inline script). It adds what CSS cannot do: j/k to move between
// steps, o to open or close them all, opening the step a link points at, and seeking the run's
// video to a step. Without it every part of the report still reads; a step's video link then opens
// the video at the step's time.

export const REPORT_SCRIPT_FILE = 'report.js';

export const REPORT_SCRIPT = `'use strict';
(function () {
  var steps = Array.prototype.slice.call(document.querySelectorAll('section.step'));
  function open(step) {
    var details = step && step.querySelector('details.step-details');
    if (details) details.open = true;
  }
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (id) open(document.getElementById(id));
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();
  function current() {
    // -1 above the first step, so that j goes to step 1 from the top of the page.
    var top = window.scrollY + 100, index = -1;
    steps.forEach(function (step, i) { if (step.offsetTop <= top) index = i; });
    return index;
  }
  document.addEventListener('keydown', function (event) {
    if (event.target && /input|textarea|select/i.test(event.target.tagName)) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === 'o') {
      var anyClosed = steps.some(function (step) { var d = step.querySelector('details.step-details'); return d && !d.open; });
      steps.forEach(function (step) { var d = step.querySelector('details.step-details'); if (d) d.open = anyClosed; });
      return;
    }
    var move = event.key === 'j' ? 1 : event.key === 'k' ? -1 : 0;
    if (!move || steps.length === 0) return;
    var next = steps[Math.max(0, Math.min(steps.length - 1, current() + move))];
    open(next);
    next.scrollIntoView({ block: 'start' });
  });
  var video = document.getElementById('run-video');
  document.addEventListener('click', function (event) {
    var link = event.target && event.target.closest ? event.target.closest('a[data-seek]') : null;
    if (!link || !video) return;
    event.preventDefault();
    video.currentTime = Number(link.getAttribute('data-seek'));
    video.scrollIntoView({ block: 'nearest' });
    var playing = video.play();
    if (playing && playing.catch) playing.catch(function () {});
  });
})();
`;
