// Export links (those with data-busy) are fetched here rather than followed, so the page can say
// it is working: a pack takes seconds to draw. A box in the corner says 正在生成… / Preparing…
// with the seconds so far until the file arrives; the browser then saves it under the server's
// name. A refusal or an error is shown in the box in the page's language instead. Bound here, not
// inline, so the Content-Security-Policy needs no inline script.
(function () {
  var pending = {};

  function box() {
    var el = document.getElementById('tpd-download-status');
    if (!el) {
      el = document.createElement('div');
      el.id = 'tpd-download-status';
      el.className = 'tpd-download-status';
      el.setAttribute('role', 'status');
      el.setAttribute('aria-live', 'polite');
      document.body.appendChild(el);
    }
    return el;
  }

  function show() {
    var el = box();
    el.textContent = '';
    Object.keys(pending).forEach(function (href) {
      var item = pending[href];
      var line = document.createElement('div');
      line.className = 'tpd-download-line' + (item.error ? ' tpd-download-error' : '');
      if (!item.error) {
        var spinner = document.createElement('span');
        spinner.className = 'spinner-border spinner-border-sm me-2';
        spinner.setAttribute('aria-hidden', 'true');
        line.appendChild(spinner);
      }
      var seconds = Math.floor((Date.now() - item.started) / 1000);
      line.appendChild(document.createTextNode(
        item.error ? item.error : item.busy + ' ' + item.what + (seconds ? ' · ' + seconds + ' s' : '')));
      el.appendChild(line);
    });
    el.style.display = Object.keys(pending).length ? 'block' : 'none';
  }

  function fileName(response, fallback) {
    var header = response.headers.get('Content-Disposition') || '';
    var utf8 = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (utf8) return decodeURIComponent(utf8[1]);
    var plain = /filename="?([^";]+)"?/i.exec(header);
    return plain ? plain[1] : fallback;
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.style.display = 'none';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  function refusal(text, lang) {
    // The server's refusals are JSON {zh, en} or plain text "中文 / English".
    try {
      var json = JSON.parse(text);
      if (json && json.zh) return lang === 'en' ? json.en : json.zh;
    } catch (e) { /* plain text */ }
    var parts = text.trim().split(/ \/ |\n/);
    return lang === 'en' && parts.length > 1 ? parts[parts.length - 1] : parts[0];
  }

  function finish(href, error) {
    var item = pending[href];
    clearInterval(item.timer);
    if (!error) {
      delete pending[href];
      show();
      return;
    }
    item.error = item.failed + error;
    show();
    setTimeout(function () { delete pending[href]; show(); }, 10000);
  }

  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a[data-busy]');
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    var href = link.getAttribute('href');
    if (pending[href] && !pending[href].error) return;   // already on its way
    var scope = link.closest('[lang]');
    var lang = scope && scope.getAttribute('lang') === 'en' ? 'en' : 'zh';
    pending[href] = {started: Date.now(), busy: link.getAttribute('data-busy'),
                     failed: link.getAttribute('data-failed') || '',
                     what: link.getAttribute('data-what') || link.textContent.trim()};
    pending[href].timer = setInterval(show, 1000);
    show();
    fetch(href, {credentials: 'same-origin'}).then(function (response) {
      if (!response.ok) {
        return response.text().then(function (text) { finish(href, refusal(text, lang)); });
      }
      return response.blob().then(function (blob) {
        save(blob, fileName(response, href.split('?')[0].split('/').pop()));
        finish(href, null);
      });
    }).catch(function (error) { finish(href, String(error && error.message || error)); });
  });
})();
