// Previous / Next over an offset-paginated list, shared by the pages that page through one
// (imports, series, the job queue). The page loads and renders its rows; the pager keeps the
// offset, writes "51–100 of 230" and enables only the buttons that lead somewhere.

// pager({ prev, next, info, pageSize, onChange }): `onChange` is called after a button moved
// the offset (the page loads again). Answers { offset, query(), reset(), show(count) }.
export function pager({ prev, next, info, pageSize, onChange }) {
  const state = { offset: 0, count: 0 };

  prev.addEventListener("click", () => {
    if (state.offset === 0) return;
    state.offset = Math.max(0, state.offset - pageSize);
    onChange();
  });
  next.addEventListener("click", () => {
    if (state.offset + pageSize >= state.count) return;
    state.offset += pageSize;
    onChange();
  });

  return {
    get offset() {
      return state.offset;
    },
    // The list request's `limit` and `offset`, as text for URLSearchParams.
    query() {
      return { limit: String(pageSize), offset: String(state.offset) };
    },
    // Back to the first page (a new search or filter); the page loads itself.
    reset() {
      state.offset = 0;
    },
    // After a page arrived: `count` is the answer's total.
    show(count) {
      state.count = count;
      const last = Math.min(state.offset + pageSize, count);
      info.textContent = count ? `${state.offset + 1}–${last} of ${count}` : "";
      prev.disabled = state.offset === 0;
      next.disabled = last >= count;
    },
  };
}
