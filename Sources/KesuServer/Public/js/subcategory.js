// Keeps a form's category and sub-category selects in step: choosing a sub-category chooses its category;
// choosing another category clears a sub-category that belongs elsewhere.
(function () {
  document.querySelectorAll('select[name="subcategory"]').forEach(function (sub) {
    var category = sub.form && sub.form.querySelector('select[name="category"]');
    if (!category) return;
    function groupOf(option) {
      return option && option.parentElement && option.parentElement.dataset.category || '';
    }
    sub.addEventListener('change', function () {
      var owner = groupOf(sub.options[sub.selectedIndex]);
      if (owner) category.value = owner;
    });
    category.addEventListener('change', function () {
      var owner = groupOf(sub.options[sub.selectedIndex]);
      if (owner && owner !== category.value) sub.value = '';
    });
  });
})();
