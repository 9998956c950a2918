/* The member picker (community/member_picker.py): as a coordinator types in an input marked
   data-member-search, ask that URL for matching members and offer their usernames in the input's
   <datalist>. Without JavaScript the input still takes a username, and a link beside it opens
   the same search as a page. No inline script (CSP); fetch only from this site. */
(function () {
  "use strict";
  var WAIT_MS = 250;
  var MIN_CHARS = 2;

  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.getAttribute("data-member-search");
    if (!list || !url) { return; }
    var timer = null;
    var asked = "";

    function fill(members) {
      while (list.firstChild) { list.removeChild(list.firstChild); }
      members.forEach(function (member) {
        var option = document.createElement("option");
        option.value = member.username;
        option.label = member.name + " (" + member.username + ")";
        option.textContent = member.name;
        list.appendChild(option);
      });
    }

    function search() {
      var query = input.value.trim();
      if (query.length < MIN_CHARS || query === asked) { return; }
      asked = query;
      fetch(url + "?q=" + encodeURIComponent(query), {
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      })
        .then(function (response) { return response.ok ? response.json() : { members: [] }; })
        .then(function (data) { if (input.value.trim() === query) { fill(data.members || []); } })
        .catch(function () { /* the input still takes a username typed in full */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, WAIT_MS);
    });
  }

  function start() {
    var inputs = document.querySelectorAll("input[data-member-search][list]");
    Array.prototype.forEach.call(inputs, attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
