from django import template

register = template.Library()


@register.filter
def get_item(row: dict, key: str):
    """A row's value for a column named in the summary-table data file."""
    return row.get(key, "")
