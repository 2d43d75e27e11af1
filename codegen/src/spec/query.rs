//! Look-ups on a loaded spec, for the code generator and the tools.

use super::load::Spec;
use super::model::*;

impl Spec {
    fn at<T>(
        &self,
        pos: Option<&(usize, usize)>,
        pick: impl Fn(&SpecFile) -> &Vec<T>,
    ) -> Option<&T> {
        pos.map(|&(f, i)| &pick(&self.files[f].content)[i])
    }

    /// The message named `name`.
    pub fn message(&self, name: &str) -> Option<&Message> {
        self.at(self.index.messages.get(name), |c| &c.messages)
    }

    /// The operation with id `id`.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.at(self.index.operations.get(id), |c| &c.operations)
    }

    /// The notification with id `id`.
    pub fn notification(&self, id: &str) -> Option<&Notification> {
        self.at(self.index.notifications.get(id), |c| &c.notifications)
    }

    /// The result-code table numbered `table` (e.g. `"4-5"`).
    pub fn result_code_table(&self, table: &str) -> Option<&ResultCodeTable> {
        self.at(self.index.result_code_tables.get(table), |c| {
            &c.result_code_tables
        })
    }

    /// The erratum with id `id`.
    pub fn erratum(&self, id: &str) -> Option<&Erratum> {
        self.at(self.index.errata.get(id), |c| &c.errata)
    }

    /// Which check comes first when a request breaks several rules (the `precedence:`
    /// section, erratum `check-precedence`); `None` in a spec without one.
    pub fn precedence(&self) -> Option<&Precedence> {
        self.files
            .iter()
            .find_map(|f| f.content.precedence.as_ref())
    }

    /// Section number of the file that defines message `name`.
    pub fn section_of_message(&self, name: &str) -> Option<&str> {
        self.index
            .messages
            .get(name)
            .map(|&(f, _)| self.files[f].content.section.as_str())
    }

    /// Message of the details of `event_type` in field `field` of body message `body`.
    pub fn tagged(&self, body: &str, field: &str, event_type: &str) -> Option<&str> {
        self.index
            .tagged
            .get(&(body.to_string(), field.to_string()))?
            .get(event_type)
            .map(String::as_str)
    }

    /// Every item of one kind across all files, in file order.
    pub fn all<'a, T: 'a>(
        &'a self,
        pick: impl Fn(&'a SpecFile) -> &'a Vec<T> + 'a,
    ) -> impl Iterator<Item = &'a T> + 'a {
        self.files.iter().flat_map(move |f| pick(&f.content).iter())
    }
}
