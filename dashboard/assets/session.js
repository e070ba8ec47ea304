// When the session has ended (idle too long, signed out elsewhere, user disabled or password
// reset), the server answers the page's next callback with 401: reload, so the server sends the
// browser to the sign-in page (and back here after signing in) instead of a page that no longer updates.
(function () {
  var originalFetch = window.fetch;
  window.fetch = function (input) {
    var url = String((input && input.url) || input);
    return originalFetch.apply(this, arguments).then(function (response) {
      if (response.status === 401 && url.indexOf('/_dash-') !== -1) {
        window.location.reload();
      }
      return response;
    });
  };
})();
