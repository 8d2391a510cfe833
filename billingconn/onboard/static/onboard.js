// curconnect onboarding: progressive enhancement. Without this script every
// form posts and the server answers with the finished page; with it, the
// verification's checks appear one by one as they run, and each change is
// announced to screen readers through the page's live region.
(function () {
  'use strict';

  var summary = document.getElementById('error-summary');
  if (summary) summary.focus();

  var form = document.getElementById('verify-form');
  if (!form || !window.fetch || !window.TextDecoder || !window.ReadableStream) return;
  var list = document.getElementById('check-list');
  var live = document.getElementById('live');
  var button = document.getElementById('verify-button');
  var input = document.getElementById('roleArn');
  var statusTexts = { pass: 'Passed', fail: 'Failed', skipped: 'Skipped', waiting: 'Waiting', running: 'Running' };
  var stateTexts = { pending: 'Pending: not verified yet', verifying: 'Verifying', connected: 'Connected: data flows', failing: 'Failing: action needed' };
  var running = false;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function announce(msg) {
    live.textContent = msg;
  }

  function checkItem(c, status) {
    // A delivery that has not arrived yet is not the customer's failure.
    var notYet = status === 'fail' && (c.code === 'NO_DELIVERY_YET' || c.code === 'REPORT_NOT_FOUND');
    var cls = notYet ? 'notyet' : status;
    var li = el('li', 'check check-' + cls);
    li.setAttribute('data-check', c.id);
    li.appendChild(el('span', 'badge badge-' + cls, notYet ? 'Not yet' : (statusTexts[status] || status)));
    li.appendChild(document.createTextNode(' '));
    li.appendChild(el('span', 'check-label', c.label || c.id));
    if (c.message) li.appendChild(el('p', 'check-message', c.message));
    if (status === 'fail') {
      if (c.remediation) {
        var p = el('p', 'remediation');
        p.appendChild(el('strong', null, 'What to do:'));
        p.appendChild(document.createTextNode(' ' + c.remediation));
        li.appendChild(p);
      }
      if (c.note) li.appendChild(el('p', 'check-note', c.note));
      if (c.retryable) li.appendChild(el('p', 'retry', 'This can clear by itself: verify again later.'));
    }
    return li;
  }

  function setRunning(li) {
    if (!li) return;
    li.className = 'check check-running';
    var b = li.querySelector('.badge');
    b.className = 'badge badge-running';
    b.textContent = statusTexts.running;
  }

  function setState(state, text, waiting) {
    var line = document.getElementById('state');
    var strong = document.getElementById('state-text');
    line.setAttribute('data-state', state);
    strong.className = 'state state-' + state + (waiting ? ' state-waiting' : '');
    strong.textContent = text;
  }

  function setNotice(msg) {
    var n = document.getElementById('notice');
    if (!msg) {
      if (n) n.parentNode.removeChild(n);
      return;
    }
    if (!n) {
      n = el('div', 'notice');
      n.id = 'notice';
      n.setAttribute('role', 'alert');
      var line = document.getElementById('state');
      line.parentNode.insertBefore(n, line);
    }
    n.textContent = msg;
  }

  function clearFieldError() {
    var field = input.closest('.field');
    var old = document.getElementById('roleArn-error');
    if (old) old.parentNode.removeChild(old);
    field.classList.remove('field-has-error');
    input.removeAttribute('aria-invalid');
    input.setAttribute('aria-describedby', 'roleArn-hint');
  }

  function setFieldError(msg) {
    clearFieldError();
    var field = input.closest('.field');
    var p = el('p', 'field-error');
    p.id = 'roleArn-error';
    p.appendChild(el('span', 'visually-hidden', 'Error:'));
    p.appendChild(document.createTextNode(' ' + msg));
    field.insertBefore(p, input);
    field.classList.add('field-has-error');
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', 'roleArn-hint roleArn-error');
    input.focus();
    announce('Error: ' + msg);
  }

  function refused(status, body) {
    var errs = (body && body.errors) || [{ message: 'The verification was refused (HTTP ' + status + ').' }];
    if (status === 400 && errs[0].field === 'roleArn') {
      setFieldError(errs[0].message);
    } else {
      setNotice(errs[0].message);
      announce(errs[0].message);
    }
    var st = document.getElementById('state').getAttribute('data-prev') || 'pending';
    setState(st, stateTexts[st] || st, false);
  }

  function readLines(body, fn) {
    var reader = body.getReader();
    var dec = new TextDecoder();
    var buf = '';
    function pump() {
      return reader.read().then(function (r) {
        if (!r.done) buf += dec.decode(r.value, { stream: true });
        var i;
        while ((i = buf.indexOf('\n')) >= 0) {
          var line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.trim()) fn(JSON.parse(line));
        }
        if (r.done) {
          if (buf.trim()) fn(JSON.parse(buf));
          return;
        }
        return pump();
      });
    }
    return pump();
  }

  var planned = 0;
  var finished = 0;

  function onEvent(ev) {
    if (ev.plan) {
      planned = ev.plan.length;
      finished = 0;
      list.textContent = '';
      ev.plan.forEach(function (p) { list.appendChild(checkItem(p, 'waiting')); });
      setRunning(list.querySelector('.check-waiting'));
      return;
    }
    if (ev.check) {
      var c = ev.check;
      var item = checkItem(c, c.status);
      var old = list.querySelector('[data-check="' + c.id + '"]');
      if (old) list.replaceChild(item, old); else list.appendChild(item);
      finished++;
      setRunning(list.querySelector('.check-waiting'));
      var msg = (c.label || c.id) + ': ' + item.querySelector('.badge').textContent.toLowerCase() + '.';
      if (c.status === 'fail' && c.remediation) msg += ' ' + c.remediation;
      announce(msg);
      return;
    }
    if (ev.errors) {
      setNotice(ev.errors[0].message);
      announce(ev.errors[0].message);
      return;
    }
    if (ev.state) done(ev);
  }

  function done(ev) {
    Array.prototype.forEach.call(list.querySelectorAll('.check-waiting, .check-running'), function (li) {
      li.parentNode.removeChild(li); // a step the verification left out
    });
    var failed = ev.checks.filter(function (c) { return c.status === 'fail'; }).length;
    var text = stateTexts[ev.state] || ev.state;
    var outcome = document.getElementById('outcome');
    outcome.textContent = '';
    var p;
    if (ev.state === 'connected') {
      p = el('p', 'outcome outcome-ok', 'Every check passed. The platform reads your billing data from now on; there is nothing else to do.');
    } else if (ev.waitingForDelivery) {
      text = 'Waiting for the first report delivery';
      p = el('p', 'outcome outcome-waiting', 'The role works. AWS has not delivered the first report yet: that can take up to 24 hours after the report is created. Nothing else to do; verify again tomorrow.');
    } else {
      p = el('p', 'outcome outcome-failing', 'Fix what the failed checks say, then verify again.');
    }
    outcome.appendChild(p);
    setState(ev.state, text, !!ev.waitingForDelivery);
    document.getElementById('state').setAttribute('data-prev', ev.state);
    document.getElementById('verified-at').textContent = 'Last verified just now.';
    announce(ev.state === 'connected' ? 'Connected: every check passed.' :
      text + ': ' + failed + (failed === 1 ? ' check failed.' : ' checks failed.') + ' ' + p.textContent);
  }

  document.getElementById('state').setAttribute('data-prev', document.getElementById('state').getAttribute('data-state'));

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    if (running) return;
    running = true;
    button.disabled = true;
    list.setAttribute('aria-busy', 'true');
    clearFieldError();
    setNotice('');
    setState('verifying', stateTexts.verifying, false);
    announce('Verifying the connection.');
    fetch(form.getAttribute('data-api'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/x-ndjson' },
      body: JSON.stringify({ roleArn: input.value })
    }).then(function (resp) {
      if (!resp.ok) {
        return resp.json().then(function (body) { refused(resp.status, body); }, function () { refused(resp.status, null); });
      }
      return readLines(resp.body, onEvent);
    }).catch(function () {
      setNotice('The verification could not be followed as it ran. Reload the page to see its result.');
    }).then(function () {
      running = false;
      button.disabled = false;
      list.setAttribute('aria-busy', 'false');
    });
  });
}());
